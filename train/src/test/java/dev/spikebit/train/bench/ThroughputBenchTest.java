package dev.spikebit.train.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelZoo;
import org.junit.jupiter.api.Test;

/** The throughput benchmark's options and the figures its result derives from the runs. */
class ThroughputBenchTest {

    @Test
    void resultReportsMedianMinAndMaxOfTheRuns() {
        var result = new ThroughputBench.Result(
                new double[] {300, 100, 200}, new double[] {2.5, 3.5, 1.5}, 10, 1 << 20, "n/a", null);
        assertThat(result.medianImagesPerSecond()).isEqualTo(200);
        assertThat(result.minImagesPerSecond()).isEqualTo(100);
        assertThat(result.maxImagesPerSecond()).isEqualTo(300);
        assertThat(result.medianCpuMsPerImage()).isEqualTo(2.5);
        // Run order is kept: the first run stays first.
        assertThat(result.imagesPerSecond()).containsExactly(300, 100, 200);
    }

    @Test
    void evenRunCountTakesTheUpperMiddleRun() {
        var result =
                new ThroughputBench.Result(new double[] {4, 1, 3, 2}, new double[] {1, 1, 1, 1}, 0, 0, "n/a", null);
        assertThat(result.medianImagesPerSecond()).isEqualTo(3);
    }

    @Test
    void resultCannotBeChangedThroughItsArrays() {
        double[] rates = {1, 2, 3};
        var result = new ThroughputBench.Result(rates, new double[] {1, 1, 1}, 0, 0, "n/a", null);
        rates[0] = 99;
        result.imagesPerSecond()[1] = 99;
        assertThat(result.imagesPerSecond()).containsExactly(1, 2, 3);
    }

    @Test
    void optionsRejectEmptyRunsAndNegativeWarmUp() {
        var spec = ModelZoo.defaultSpec("fmnist-cnn");
        assertThatThrownBy(() -> new ThroughputBench.Options(
                        spec,
                        ThroughputBench.Workload.TRAIN,
                        ThroughputBench.Source.SYNTHETIC,
                        null,
                        64,
                        0,
                        2,
                        1,
                        false))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("runs 0");
        assertThatThrownBy(() -> new ThroughputBench.Options(
                        spec,
                        ThroughputBench.Workload.INFER,
                        ThroughputBench.Source.SYNTHETIC,
                        null,
                        64,
                        1,
                        2,
                        -1,
                        false))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("warmup -1");
    }
}
