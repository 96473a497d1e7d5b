package dev.spikebit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.FashionMnistSubset;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN that enters mid-run stops training at that step, naming the parameter whose gradient it
 * reached (binary spikes stop it before the loss: NaN never crosses a threshold); the checkpoints
 * on disk stay the last good ones.
 */
class NanGuardTest {

    /** Real images, except that from the {@code after}-th sample read on, each carries a NaN pixel. */
    record PoisonedAfter(Dataset data, int after, AtomicInteger reads) implements Dataset {
        @Override
        public String name() {
            return data.name() + "-poisoned";
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public int[] sampleShape() {
            return data.sampleShape();
        }

        @Override
        public int numClasses() {
            return data.numClasses();
        }

        @Override
        public void copySample(int index, float[] dst, int offset) {
            data.copySample(index, dst, offset);
            if (reads.incrementAndGet() > after) {
                dst[offset] = Float.NaN;
            }
        }

        @Override
        public int label(int index) {
            return data.label(index);
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheStepAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) {
        var data = FashionMnistSubset.load(64, 64);
        TrainConfig config = TrainConfig.builder(
                        ModelZoo.defaultSpec("fmnist-cnn").withTimeSteps(1))
                .epochs(3)
                .lr(1e-3f)
                .seed(1)
                .build();
        // One epoch is one batch of 64 reads: the second epoch's batch is poisoned.
        Dataset poisoned = new PoisonedAfter(data.train(), 64, new AtomicInteger());
        Trainer trainer = new Trainer(
                config,
                ModelZoo.build(config.spec(), 1),
                poisoned,
                data.test(),
                null,
                dir,
                new PrintStream(OutputStream.nullOutputStream()));

        assertThatThrownBy(trainer::run)
                .isInstanceOf(SpikebitException.class)
                .hasMessageStartingWith("training stopped at epoch 2, step 2: the gradient of ")
                .hasMessageMatching(".*the gradient of [a-z0-9_.]+weight is NaN at index \\d+;.*")
                .hasMessageEndingWith(
                        "; the last good checkpoint is " + dir.resolve("last.safetensors") + " (try a lower --lr)");

        Checkpoint last = Checkpoint.load(dir.resolve("last.safetensors"));
        assertThat(last.info("epoch", "")).isEqualTo("1");
        assertThat(ResumeMetadata.progress(last, 3).history()).hasSize(1);
        assertThat(Checkpoint.load(dir.resolve("best.safetensors")).info("epoch", ""))
                .isEqualTo("1");
    }
}
