package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.RealData;
import dev.spikebit.train.DatasetFit;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event path end to end on real images: Fashion-MNIST through the DVS emulator, binned into
 * T = 4 frames of 2x34x34, trained on with the small VGGSNN, evaluated on emulated test images.
 */
class TrainOnNFashionMnistTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /**
     * Floor: 1,600 emulated training images (100 steps of 16, Adam 1e-3, cosine, one pass) reached
     * 69.2%, 69.8%, 70.6% and 70.6% on the 500 emulated test images with seeds 5, 1, 2 and 3; we
     * require 60%, which a net that does not learn (10%) or an event path that scrambles frames
     * does not reach. (Fewer steps are not enough: evaluation uses the batch-norm running
     * statistics, momentum 0.1, which need on the order of 100 steps to forget their initial
     * values; see docs/models.md.) About 30 s on an idle 2-core machine.
     */
    @Test
    void vggsnnSmallLearnsEmulatedEvents(@TempDir Path out) {
        RealData.requireFashionMnist();
        DatasetChoice data =
                DatasetChoice.load(DatasetName.NFASHION_MNIST, null, 1600, 500, DatasetChoice.Frames.of(4));
        ModelSpec spec = DatasetFit.fit(data, ModelZoo.defaultSpec("vggsnn-s"));
        assertThat(data.train().sampleShape()).containsExactly(4, 2, 34, 34);
        TrainConfig config = TrainConfig.builder(spec)
                .epochs(1)
                .batchSize(16)
                .seed(5)
                .trainLimit(1600)
                .testLimit(500)
                .build();
        SpikingClassifier model = Models.build(spec, config.seed());
        List<EpochMetrics> history = new Trainer(config, model, data.train(), data.test(), null, out, QUIET).run();
        assertThat(history.get(0).testAccuracy()).isGreaterThan(FLOOR);
    }

    private static final double FLOOR = 0.60;

    /** The command line end to end: options, the spec fitted to the frames, a checkpoint that resumes. */
    @Test
    void trainCommandRunsOnEventFrames(@TempDir Path out) {
        RealData.requireFashionMnist();
        String[] args = {
            "train",
            "--dataset",
            "nfashion-mnist",
            "--model",
            "vggsnn-s",
            "--T",
            "3",
            "--frame-size",
            "28",
            "--bin-mode",
            "duration",
            "--epochs",
            "1",
            "--batch",
            "16",
            "--train-limit",
            "32",
            "--test-limit",
            "16",
            "--augment",
            "--out",
            out.toString()
        };
        assertThat(Main.run(args)).isZero();
        Checkpoint checkpoint = Checkpoint.load(out.resolve("last.safetensors"));
        assertThat(checkpoint.spec().timeSteps()).isEqualTo(3);
        assertThat(checkpoint.spec().inChannels()).isEqualTo(2);
        assertThat(checkpoint.spec().inSize()).isEqualTo(28);
        String[] more = {
            "train",
            "--dataset",
            "nfashion-mnist",
            "--frame-size",
            "28",
            "--bin-mode",
            "duration",
            "--epochs",
            "2",
            "--resume",
            "--out",
            out.toString()
        };
        assertThat(Main.run(more)).isZero();
        assertThat(Checkpoint.load(out.resolve("last.safetensors")).info("epoch", ""))
                .isEqualTo("2");
    }
}
