package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module.StateEntry;
import dev.spikebit.core.nn.Sequential;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on {@code local[2]} (two replicas as Spark tasks, their states serialized
 * and aggregated as on a cluster), on real Fashion-MNIST images with a small network without batch
 * norm or dropout (whose batch statistics and masks would differ between one batch of 2B and two of
 * B).
 */
class DataParallelTrainingTest {
    /** Per-worker batch B; the single machine trains on batches of 2B. */
    private static final int B = 16;

    private static final int TRAIN = 128;

    @TempDir
    Path dir;

    /**
     * With one step per round and plain SGD, averaging two replicas that each took a step on B
     * samples is one step on the 2B samples: the mean of the two updates is the update of the mean
     * gradient. Four steps of it equal single-machine SGD with batch 2B up to float rounding.
     */
    @Test
    void syncEveryStepWithSgdIsSingleMachineSgdOnTheWholeBatch() {
        TrainConfig config = Replicas.config();
        Trainer alone = Replicas.trainer(config, data(), dir.resolve("alone"));
        List<EpochMetrics> single = alone.run();

        Trainer driver = Replicas.trainer(config, data(), dir.resolve("spark"));
        List<EpochMetrics> parallel = new SparkBackend()
                .trainDataParallel(
                        "local[2]", driver, new Replicas(), new ClusterBackend.DataParallel(2, 1, TRAIN / (2 * B)));

        assertClose(driver.model().stateDict(), alone.model().stateDict(), 2e-6f);
        assertThat(driver.optimizer().steps())
                .isEqualTo(alone.optimizer().steps())
                .isEqualTo(TRAIN / (2 * B));
        assertThat(parallel.get(0).trainLoss())
                .isCloseTo(single.get(0).trainLoss(), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(parallel.get(0).trainAccuracy()).isEqualTo(single.get(0).trainAccuracy());
        // The replicas did train: the weights moved from their initial values.
        Trainer untrained = Replicas.trainer(config, data(), dir.resolve("untrained"));
        assertThat(maxDifference(untrained.model().stateDict(), alone.model().stateDict()))
                .isGreaterThan(1e-3f);
    }

    /**
     * {@code train --spark --workers 2 --sync-every 3} with Adam (rounds of 3 and 1 steps): a run
     * stopped after its first epoch and resumed from its checkpoint ends bit for bit where the
     * uninterrupted run ends, the optimizer state (averaged like the weights) included. The
     * checkpoint records the workers and steps between averagings, which the resumed run takes from
     * it. The interrupted run's {@code --out} is a {@code file://} URI: its checkpoints go through
     * Hadoop's FileSystem API and the resumed run reads them back from there.
     */
    @Test
    void trainOnSparkResumesBitForBit() {
        String[] args = {
            "train",
            "--train-limit",
            "128",
            "--test-limit",
            "32",
            "--batch",
            "32",
            "--schedule",
            "constant",
            "--spark",
            "local[2]",
            "--workers",
            "2",
            "--sync-every",
            "3"
        };
        Path whole = dir.resolve("whole");
        Path interrupted = dir.resolve("interrupted");
        // The interrupted run writes and resumes through Hadoop's FileSystem API (its LocalFileSystem).
        String uri = interrupted.toUri().toString();
        SparkCommands.run(LocalSparkTest.concat(args, "--epochs", "2", "--out", whole.toString()));
        SparkCommands.run(LocalSparkTest.concat(args, "--epochs", "1", "--out", uri));
        assertThat(interrupted.resolve(".last.safetensors.crc")).exists();
        assertThat(Checkpoint.load(interrupted.resolve("last.safetensors"))
                        .info(ClusterBackend.DataParallel.CHECKPOINT_KEY, null))
                .isEqualTo("{\"workers\":2,\"sync_every\":3}");
        SparkCommands.run("train", "--epochs", "2", "--resume", "--out", uri, "--spark", "local[2]");

        Checkpoint expected = Checkpoint.load(whole.resolve("last.safetensors"));
        Checkpoint actual = Checkpoint.load(interrupted.resolve("last.safetensors"));
        assertThat(actual.info("epoch", "")).isEqualTo("2");
        assertThat(maxDifference(actual.model(), expected.model())).isZero();
        assertThat(actual.optimizer().keySet())
                .isEqualTo(expected.optimizer().keySet())
                .anyMatch(k -> k.startsWith("exp_avg_sq/"));
        // Arrays.mismatch is containsExactly's check (same length, each element's bits equal) without
        // the quadratic diff containsExactly builds first: half a minute for fc1's 400k Adam moments.
        expected.optimizer()
                .forEach((k, v) -> assertThat(Arrays.mismatch(actual.optimizer().get(k), v))
                        .as("%s: index of the first differing element", k)
                        .isEqualTo(-1));
    }

    private static DatasetChoice data() {
        return DatasetChoice.load(DatasetName.FASHION_MNIST, null, TRAIN, 64);
    }

    private static void assertClose(Map<String, StateEntry> actual, Map<String, StateEntry> expected, float tol) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        assertThat(maxDifference(actual, expected)).isLessThanOrEqualTo(tol);
    }

    private static float maxDifference(Map<String, StateEntry> a, Map<String, StateEntry> b) {
        float max = 0;
        for (var e : a.entrySet()) {
            float[] x = e.getValue().data();
            float[] y = b.get(e.getKey()).data();
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    /**
     * The test's replicas: a conv (stride 2) to 4 channels, LIF, and a linear readout, T = 2, built
     * from the same seed everywhere; every executor loads the same Fashion-MNIST subset. Plain SGD,
     * one epoch.
     */
    record Replicas() implements ClusterBackend.Replicas {
        static TrainConfig config() {
            ModelSpec spec = ModelSpec.defaults("fmnist-cnn", 2, 1, 28, 10);
            return TrainConfig.builder(spec)
                    .epochs(1)
                    .batchSize(2 * B)
                    .optimizer(TrainConfig.Optimizer.SGD)
                    .lr(0.5f)
                    .momentum(0f)
                    .schedule("cosine")
                    .loss(TrainConfig.Loss.CE)
                    .seed(7)
                    .trainLimit(TRAIN)
                    .build();
        }

        static Trainer trainer(TrainConfig config, DatasetChoice data, Path out) {
            var rng = new SplittableRandom(config.seed());
            SpikingClassifier model = new SpikingClassifier(
                    config.spec(),
                    new Sequential(new Conv2d(1, 4, 3, 2, 1, true, rng)),
                    new Sequential(new LIFNode(), Flatten.multiStep(), new Linear(4 * 14 * 14, 10, true, rng)));
            var log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            return new Trainer(config, model, data.train(), data.test(), null, out, log);
        }

        @Override
        public DatasetChoice data() {
            return DataParallelTrainingTest.data();
        }

        @Override
        public Trainer replica(DatasetChoice data) {
            return trainer(config(), data, Path.of("unused"));
        }
    }
}
