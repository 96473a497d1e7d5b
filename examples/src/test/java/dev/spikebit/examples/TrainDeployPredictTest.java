package dev.spikebit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.data.RealData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example, run on 512 Fashion-MNIST training images for one epoch: the deployed
 * network, loaded by the runtime alone, predicts what the training engine predicts, better than
 * chance.
 */
class TrainDeployPredictTest {
    @Test
    void trainsDeploysAndPredictsInTheRuntime(@TempDir Path out) {
        RealData.requireFashionMnist();
        // The epoch line goes to the test's output (target/surefire-reports), so the accuracy reached is on record.
        var result = TrainDeployPredict.run(out, 512, 256, 1, System.out);
        assertThat(out.resolve("deployed.safetensors")).isNotEmptyFile();
        assertThat(result.runtime()).hasSize(256).containsExactly(result.engine());
        // Ten classes: chance is 10%. Eight steps of training (one epoch of 512 images) reach about 33%
        // here; twice chance is the floor, so the check holds on any GEMM backend and thread count.
        assertThat(result.accuracy()).isGreaterThan(0.2);
    }
}
