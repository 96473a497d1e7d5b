package dev.spikebit.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.FashionMnistSubset;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs that continue after an interruption, are reused when finished, and start over when they differ. */
class ResumableRunTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static ArrayDataset train;
    private static ArrayDataset test;

    @BeforeAll
    static void realImages() {
        var data = FashionMnistSubset.load(256, 64);
        train = data.train();
        test = data.test();
    }

    private static TrainConfig config(int epochs, float lr) {
        return TrainConfig.builder(ModelZoo.defaultSpec("fmnist-cnn"))
                .epochs(epochs)
                .lr(lr)
                .seed(3)
                .build();
    }

    private static SpikingClassifier fresh(long seed) {
        return ModelZoo.build(ModelZoo.defaultSpec("fmnist-cnn"), seed);
    }

    private static void assertSameWeights(SpikingClassifier actual, SpikingClassifier expected) {
        var want = expected.stateDict();
        // Arrays.mismatch is containsExactly's check (same length, each element's bits equal) without
        // the quadratic diff containsExactly builds first: seconds for fc1's 400k weights.
        actual.stateDict()
                .forEach((name, e) -> assertThat(
                                Arrays.mismatch(e.data(), want.get(name).data()))
                        .as("%s: index of the first differing element", name)
                        .isEqualTo(-1));
    }

    @Test
    void anInterruptedRunResumesAfterItsLastEpochAndAFinishedOneIsReused(@TempDir Path dir) throws Exception {
        TrainConfig c = config(2, 1e-3f);
        // A run killed after its first epoch's checkpoint: the stamp and last.safetensors of epoch 1.
        Files.writeString(dir.resolve(ResumableRun.STAMP_FILE), ResumableRun.stamp(c, null, train, test));
        List<EpochMetrics> firstEpoch = new Trainer(c, fresh(3), train, test, null, dir, QUIET).runUntil(1);

        List<String> events = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int batches) {
                events.add("start " + epoch + " of " + batches);
            }

            @Override
            public void batchFinished(int epoch, Progress p) {
                events.add("batch " + p.batch() + "/" + p.batches() + " " + p.images());
            }

            @Override
            public void batchesFinished(int epoch) {
                events.add("trained " + epoch);
            }

            @Override
            public void epochFinished(EpochEnd end) {
                assertThat(end.outDir().resolve("last.safetensors")).exists();
                events.add("end " + end.metrics().epoch() + ", " + end.history().size() + " epochs");
            }
        };
        var resumed = ResumableRun.train(
                c,
                fresh(999),
                null,
                train,
                test,
                dir,
                QUIET,
                TrainingListener.all(List.of(recorder, new MetricsFile())));
        // Only the second epoch ran, and the listeners heard it in order.
        assertThat(events)
                .containsExactly(
                        "start 2 of 4",
                        "batch 1/4 64",
                        "batch 2/4 128",
                        "batch 3/4 192",
                        "batch 4/4 256",
                        "trained 2",
                        "end 2, 2 epochs");
        assertThat(Files.readString(dir.resolve(MetricsFile.NAME)))
                .contains("\"environment\"")
                .contains("\"epoch\" : 2");
        assertThat(resumed.reused()).isFalse();
        assertThat(resumed.history()).hasSize(2);
        assertThat(resumed.history().get(0)).isEqualTo(firstEpoch.get(0));
        assertThat(Checkpoint.load(dir.resolve("last.safetensors")).info("epoch", ""))
                .isEqualTo("2");

        // Asked again, the finished run is loaded, not trained: same weights into a differently initialised net.
        var reused = ResumableRun.train(c, fresh(7), null, train, test, dir, QUIET, TrainingListener.NONE);
        assertThat(reused.reused()).isTrue();
        assertThat(reused.history()).isEqualTo(resumed.history());
        assertThat(reused.finalAccuracy()).isEqualTo(resumed.finalAccuracy());
        assertSameWeights(reused.model(), resumed.model());
    }

    @Test
    void aDirectoryHoldingAnotherRunIsTrainedFromTheStart(@TempDir Path dir) throws Exception {
        ResumableRun.train(config(1, 1e-3f), fresh(3), null, train, test, dir, QUIET, TrainingListener.NONE);
        TrainConfig other = config(1, 3e-3f);
        var again = ResumableRun.train(other, fresh(3), null, train, test, dir, QUIET, TrainingListener.NONE);
        assertThat(again.reused()).isFalse();
        assertThat(again.history()).hasSize(1);
        assertThat(Files.readString(dir.resolve(ResumableRun.STAMP_FILE)))
                .isEqualTo(ResumableRun.stamp(other, null, train, test));
        // The same config with an auxiliary loss is another run too.
        SpikingClassifier net = fresh(3);
        var withTerm = ResumableRun.train(
                other, net, new WeightPenalty(net, 0.5f), train, test, dir, QUIET, TrainingListener.NONE);
        assertThat(withTerm.reused()).isFalse();
    }

    /**
     * An auxiliary term that pulls the network's mean output towards zero: it must see every batch
     * before the forward pass, reach the gradient (the trained weights differ from a run without it)
     * and be closed once.
     */
    @Test
    void anAuxiliaryLossSeesEveryBatchAndChangesTheGradient(@TempDir Path plain, @TempDir Path withTerm) {
        TrainConfig c = config(1, 1e-3f);
        var without = ResumableRun.train(c, fresh(3), null, train, test, plain, QUIET, TrainingListener.NONE);
        SpikingClassifier net = fresh(3);
        var term = new WeightPenalty(net, 0.5f);
        var with = ResumableRun.train(c, net, term, train, test, withTerm, QUIET, TrainingListener.NONE);
        assertThat(term.batchSizes).hasSize(train.size() / 64).containsOnly(64);
        assertThat(term.closed).isEqualTo(1);
        // The penalty shrinks the last layer: its squared norm ends smaller than without it.
        assertThat(squaredNorm(term.last.data()))
                .isLessThan(squaredNorm(lastWeight(without.model()).data()));
    }

    private static Tensor lastWeight(SpikingClassifier net) {
        var params = net.parameters();
        return params.stream()
                .filter(p -> p.value().shape().length == 2)
                .reduce((a, b) -> b)
                .orElseThrow()
                .value();
    }

    private static double squaredNorm(float[] w) {
        double s = 0;
        for (float v : w) {
            s += v * v;
        }
        return s;
    }

    /** {@code weight * sum(W^2)} over the last linear layer's weights, with gradient to them. */
    private static final class WeightPenalty implements AuxiliaryLoss {
        final float weight;
        final Tensor last;
        final List<Integer> batchSizes = new ArrayList<>();
        int closed;

        WeightPenalty(SpikingClassifier net, float weight) {
            this.weight = weight;
            this.last = lastWeight(net);
        }

        @Override
        public String name() {
            return "l2";
        }

        @Override
        public void beforeForward(Tensor input) {
            batchSizes.add(input.dim(0));
        }

        @Override
        public Tensor loss() {
            return Elementwise.scale(Elementwise.sum(Elementwise.mul(last, last)), weight);
        }

        @Override
        public String describe() {
            return "l2 " + weight;
        }

        @Override
        public void close() {
            closed++;
        }
    }
}
