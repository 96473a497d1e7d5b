package dev.spikebit.core.ops;

import static dev.spikebit.core.ops.WeightGradientPath.EVENTS;
import static dev.spikebit.core.ops.WeightGradientPath.GEMM;
import static dev.spikebit.core.ops.WeightGradientPath.WINOGRAD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The choice of a convolution's weight-gradient path: by density at the limits of the kernels, and
 * with a layer's memory kept inside the hysteresis band and left outside it.
 */
class WeightGradientPathTest {
    /** The second convolution of the Fashion-MNIST CNN: Winograd or the event-driven sum. */
    private static final ConvGeometry WINOGRAD_LAYER = new ConvGeometry(32, 14, 14, 3, 3, 1, 1);
    /** A stem: too few channels for Winograd, so the event-driven sum or GEMM. */
    private static final ConvGeometry STEM = new ConvGeometry(1, 28, 28, 3, 3, 1, 1);

    private static final long SIZE = 100_000;

    private static long at(double density) {
        return Math.round(density * SIZE);
    }

    @Test
    void withoutMemoryTheDensityChoosesAtEachKernelsLimit() {
        assertThat(WeightGradientPath.byDensity(WINOGRAD_LAYER, 64, at(0.299), SIZE))
                .isEqualTo(EVENTS);
        assertThat(WeightGradientPath.byDensity(WINOGRAD_LAYER, 64, at(0.301), SIZE))
                .isEqualTo(WINOGRAD);
        assertThat(WeightGradientPath.byDensity(WINOGRAD_LAYER, 64, SIZE, SIZE)).isEqualTo(WINOGRAD);
        assertThat(WeightGradientPath.byDensity(STEM, 32, at(0.349), SIZE)).isEqualTo(EVENTS);
        assertThat(WeightGradientPath.byDensity(STEM, 32, at(0.351), SIZE)).isEqualTo(GEMM);
        // Strided: no Winograd, and the event-driven sum only up to its own, lower limit.
        var strided = new ConvGeometry(32, 14, 14, 3, 3, 2, 1);
        assertThat(WeightGradientPath.byDensity(strided, 64, at(0.199), SIZE)).isEqualTo(EVENTS);
        assertThat(WeightGradientPath.byDensity(strided, 64, at(0.21), SIZE)).isEqualTo(GEMM);
        assertThat(WeightGradientPath.choose(WINOGRAD_LAYER, 64, at(0.31), SIZE, null))
                .isEqualTo(WINOGRAD);
    }

    @Test
    void thePreviousPathIsKeptInsideTheBandAndLeftOutsideIt() {
        // From the event-driven sum, Winograd only at 0.3 + 0.05.
        for (double d : new double[] {0.301, 0.31, 0.34, 0.349}) {
            assertThat(WeightGradientPath.choose(WINOGRAD_LAYER, 64, at(d), SIZE, EVENTS))
                    .as("density %s", d)
                    .isEqualTo(EVENTS);
        }
        assertThat(WeightGradientPath.choose(WINOGRAD_LAYER, 64, at(0.351), SIZE, EVENTS))
                .isEqualTo(WINOGRAD);
        assertThat(WeightGradientPath.choose(WINOGRAD_LAYER, 64, at(0.6), SIZE, EVENTS))
                .isEqualTo(WINOGRAD);
        // From Winograd, the event-driven sum only below 0.3 - 0.05.
        for (double d : new double[] {0.299, 0.29, 0.26, 0.251}) {
            assertThat(WeightGradientPath.choose(WINOGRAD_LAYER, 64, at(d), SIZE, WINOGRAD))
                    .as("density %s", d)
                    .isEqualTo(WINOGRAD);
        }
        assertThat(WeightGradientPath.choose(WINOGRAD_LAYER, 64, at(0.249), SIZE, WINOGRAD))
                .isEqualTo(EVENTS);
        // The same band at the stem's limit between the event-driven sum and GEMM.
        assertThat(WeightGradientPath.choose(STEM, 32, at(0.39), SIZE, EVENTS)).isEqualTo(EVENTS);
        assertThat(WeightGradientPath.choose(STEM, 32, at(0.41), SIZE, EVENTS)).isEqualTo(GEMM);
        assertThat(WeightGradientPath.choose(STEM, 32, at(0.31), SIZE, GEMM)).isEqualTo(GEMM);
        assertThat(WeightGradientPath.choose(STEM, 32, at(0.29), SIZE, GEMM)).isEqualTo(EVENTS);
    }

    @Test
    void aLayersMemoryHoldsItsPathWhileTheDensityHoversAtTheLimit() {
        var memory = new WeightGradientPath.Memory();
        List<WeightGradientPath> taken = new ArrayList<>();
        for (double d : new double[] {0.29, 0.31, 0.295, 0.305, 0.301, 0.34, 0.36, 0.29, 0.26, 0.31, 0.24}) {
            taken.add(memory.choose(WINOGRAD_LAYER, 64, at(d), SIZE));
        }
        assertThat(taken)
                .containsExactly(
                        EVENTS, EVENTS, EVENTS, EVENTS, EVENTS, EVENTS, WINOGRAD, WINOGRAD, WINOGRAD, WINOGRAD, EVENTS);

        // Another geometry through the same memory starts afresh, and so does a forgotten one.
        assertThat(memory.choose(STEM, 32, at(0.3), SIZE)).isEqualTo(EVENTS);
        assertThat(memory.choose(WINOGRAD_LAYER, 64, at(0.31), SIZE)).isEqualTo(WINOGRAD);
        memory.choose(WINOGRAD_LAYER, 64, at(0.29), SIZE);
        memory.forget();
        assertThat(memory.choose(WINOGRAD_LAYER, 64, at(0.31), SIZE)).isEqualTo(WINOGRAD);
    }

    /**
     * Through a layer: its gradient at a density inside the band is the one of the path it took
     * before (bit for bit), and after {@code train(true)} the one of the path by density alone.
     */
    @Test
    void aConvolutionLayerRemembersItsPathUntilItIsPutIntoTraining() {
        var rng = new SplittableRandom(3);
        var layer = new Conv2d(32, 64, 3, 1, 1, false, rng);
        int batch = 4;
        float[] low = spikes(rng, batch * 32 * 14 * 14, 0.27);
        float[] inBand = spikes(rng, batch * 32 * 14 * 14, 0.32);
        float[] g = WinogradConvTest.uniform(rng, batch * 64 * 14 * 14, 1);

        layer.train(true);
        weightGradient(layer, low, g);
        float[] remembered = weightGradient(layer, inBand, g);
        layer.train(true);
        float[] fresh = weightGradient(layer, inBand, g);

        var geo = new ConvGeometry(32, 14, 14, 3, 3, 1, 1);
        assertThat(remembered).isEqualTo(direct(EVENTS, geo, inBand, g, batch));
        assertThat(fresh).isEqualTo(direct(WINOGRAD, geo, inBand, g, batch));
        assertThat(fresh).isNotEqualTo(remembered);
    }

    private static float[] weightGradient(Conv2d layer, float[] x, float[] g) {
        layer.zeroGrad();
        Tensor y = layer.forward(Tensor.of(x.clone(), x.length / (32 * 14 * 14), 32, 14, 14));
        y.backward(g);
        return layer.weight().grad().clone();
    }

    private static float[] direct(WeightGradientPath path, ConvGeometry geo, float[] x, float[] g, int batch) {
        float[] gw = new float[64 * geo.patchSize()];
        Conv2dOp.weightGradient(path, geo, x, g, batch, 64, batch, gw);
        return gw;
    }

    static float[] spikes(SplittableRandom rng, int size, double density) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rng.nextDouble() < density ? 1f : 0f;
        }
        return x;
    }
}
