package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weight gradient by Winograd F(2x2, 3x3) against the direct sums in double precision, on the
 * shapes of {@link WinogradConvTest} (odd sides, one pixel, channel counts that are not a multiple
 * of any vector length, short last blocks and groups, images larger than a block) and on spikes.
 *
 * <p><b>Tolerance.</b> As for the input gradient, each weight is held to the algorithm's own error
 * bound, computed in double precision: with {@code u = 2^-24} and {@code gamma_n = n u / (1 - n u)},
 * <pre>
 *   |computed - exact| <= gamma_n * ( |gw before| + |G^T| [ sum_t (|A| |dy_t| |A^T|) .* (|B^T| |d_t| |B|) ] |G| )
 * </pre>
 * with {@code n = tiles per group + groups + 7}: two roundings in each transform, one in the
 * product, one per further tile of a group's sum and per further group, one in the inverse
 * transform (double, rounded once) and one adding into {@code gw}. A wrong transform misses by the
 * size of the magnitudes.
 */
class WinogradWeightGradientTest {
    private static final double U = 0x1p-24;

    static Stream<Arguments> shapes() {
        return Stream.concat(
                WinogradConvTest.shapes(),
                Stream.of(Arguments.of(32, 64, 14, 14, 37))); // three groups of 16 images, the last short
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void matchesTheDirectWeightGradientWithinWinogradsErrorBound(int c, int o, int h, int w, int batch) {
        check(c, o, h, w, batch, 1.0);
    }

    /** Spikes: zeros and ones at about the density where the kernel is chosen. */
    @Test
    void matchesOnSpikes() {
        check(32, 64, 14, 14, 9, 0.3);
    }

    private static void check(int c, int o, int h, int w, int batch, double density) {
        var geo = new ConvGeometry(c, h, w, 3, 3, 1, 1);
        var rng = new SplittableRandom(17L * c + 5L * o + h * 3L + w + batch);
        float[] x = density < 1
                ? spikes(rng, batch * c * h * w, density)
                : WinogradConvTest.uniform(rng, batch * c * h * w, 1);
        float[] gy = WinogradConvTest.uniform(rng, batch * o * h * w, 100);
        float[] before = WinogradConvTest.uniform(rng, o * c * 9, 10);
        float[] gw = before.clone();
        WinogradConv.weightGradient(geo, x, gy, batch, o, gw);

        double[] exact = SpikeConvTest.directWeightGradient(geo, x, batch, gy, o);
        double[] bound = magnitudeBound(geo, x, batch, gy, o);
        int tilesPerImage = ((h + 1) / 2) * ((w + 1) / 2);
        int perGroup = WinogradConv.imagesPerGroup(geo, batch);
        int groups = (batch + perGroup - 1) / perGroup;
        int n = Math.min(batch, perGroup) * tilesPerImage + groups + 7;
        double gamma = n * U / (1 - n * U);
        for (int i = 0; i < exact.length; i++) {
            double expected = before[i] + exact[i];
            double tolerance = gamma * (Math.abs(before[i]) + bound[i]);
            assertThat(Math.abs(gw[i] - expected))
                    .as("gw[%d]: %s vs %s", i, gw[i], expected)
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    /**
     * The groups are claimed by whichever pool thread is free; run all of them on one pool thread
     * instead (what one thread does) and the bits must be the same.
     */
    @Test
    void givesTheSameBitsOnOneThreadAsOnThePool() {
        var geo = new ConvGeometry(20, 14, 14, 3, 3, 1, 1);
        int o = 36;
        int batch = 41;
        var rng = new SplittableRandom(11);
        float[] x = spikes(rng, batch * 20 * 14 * 14, 0.3);
        float[] gy = WinogradConvTest.uniform(rng, batch * o * geo.outPixels(), 1);
        float[] pooled = new float[o * 20 * 9];
        WinogradConv.weightGradient(geo, x, gy, batch, o, pooled);
        float[] alone = new float[pooled.length];
        // A loop body on a pool thread runs nested loops on that thread alone.
        Parallel.range(Parallel.threads(), 1, (from, to) -> {
            if (from == 0) {
                WinogradConv.weightGradient(geo, x, gy, batch, o, alone);
            }
        });
        assertThat(alone).isEqualTo(pooled);
    }

    /**
     * Both gradients in one pass against the two separate calls: the same blocks and sums, so the
     * same bits, on every shape (odd sides, short last blocks and groups, channel counts that are
     * not a multiple of a vector), into gradients that start non-zero.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void bothGradientsInOnePassGiveTheSeparateCallsBits(int c, int o, int h, int w, int batch) {
        var geo = new ConvGeometry(c, h, w, 3, 3, 1, 1);
        var rng = new SplittableRandom(17L * c + o + 5L * h + w + batch);
        float[] x = spikes(rng, batch * c * h * w, 0.4);
        float[] weights = WinogradConvTest.uniform(rng, o * c * 9, 1);
        float[] gy = WinogradConvTest.uniform(rng, batch * o * h * w, 1);
        float[] gx0 = WinogradConvTest.uniform(rng, x.length, 1);
        float[] gw0 = WinogradConvTest.uniform(rng, weights.length, 1);
        float[] gx = gx0.clone();
        float[] gw = gw0.clone();
        WinogradConv.inputGradient(geo, gy, weights, batch, o, gx);
        WinogradConv.weightGradient(geo, x, gy, batch, o, gw);
        float[] gxBoth = gx0.clone();
        float[] gwBoth = gw0.clone();
        WinogradConv.bothGradients(geo, x, gy, weights, batch, o, gxBoth, gwBoth);
        assertThat(gxBoth).isEqualTo(gx);
        assertThat(gwBoth).isEqualTo(gw);
    }

    @Test
    void takesTheWeightGradientOnlyFromItsDensityUpAndWhenEnabled() {
        var geo = new ConvGeometry(32, 14, 14, 3, 3, 1, 1);
        long size = 1000;
        long least = (long) Math.ceil(WinogradConv.MIN_WEIGHT_GRADIENT_DENSITY * size);
        assertThat(WinogradConv.takesWeightGradient(geo, 64, least, size)).isTrue();
        assertThat(WinogradConv.takesWeightGradient(geo, 64, least - 1, size)).isFalse();
        assertThat(WinogradConv.takesWeightGradient(new ConvGeometry(32, 14, 14, 3, 3, 2, 1), 64, size, size))
                .isFalse();
        String old = System.getProperty(WinogradConv.PROPERTY);
        System.setProperty(WinogradConv.PROPERTY, "false");
        try {
            assertThat(WinogradConv.takesWeightGradient(geo, 64, size, size)).isFalse();
        } finally {
            restore(old);
        }
    }

    /** Through {@link Conv2dOp}: the weight gradient with the kernel on and off (property) on dense input. */
    @Test
    void conv2dTakesItAndTheOtherPathAgrees() {
        var rng = new SplittableRandom(4);
        int batch = 6;
        float[] input = WinogradConvTest.uniform(rng, batch * 16 * 9 * 11, 1);
        Tensor w = Tensor.of(WinogradConvTest.uniform(rng, 24 * 16 * 9, 1), 24, 16, 3, 3);
        float[] gy = WinogradConvTest.uniform(rng, batch * 24 * 9 * 11, 1);
        float[] winograd = weightGradient(input, w, gy, batch);
        String old = System.getProperty(WinogradConv.PROPERTY);
        System.setProperty(WinogradConv.PROPERTY, "false");
        float[] columns;
        try {
            columns = weightGradient(input, w, gy, batch);
        } finally {
            restore(old);
        }
        double[] exact =
                SpikeConvTest.directWeightGradient(new ConvGeometry(16, 9, 11, 3, 3, 1, 1), input, batch, gy, 24);
        SpikeConvTest.assertClose(winograd, exact, "Winograd");
        SpikeConvTest.assertClose(columns, exact, "im2col + GEMM");
        assertThat(winograd).isNotEqualTo(columns);
    }

    private static float[] weightGradient(float[] input, Tensor w, float[] gy, int batch) {
        Tensor x = Tensor.of(input.clone(), batch, 16, 9, 11);
        Tensor weight = Tensor.of(w.data().clone(), w.shape()).requiresGrad(true);
        Conv2dOp.conv2d(x, weight, null, 1, 1).backward(gy);
        return weight.grad().clone();
    }

    private static void restore(String old) {
        if (old == null) {
            System.clearProperty(WinogradConv.PROPERTY);
        } else {
            System.setProperty(WinogradConv.PROPERTY, old);
        }
    }

    /** Per weight: {@code |G^T| [ sum_t (|A| |dy_t| |A^T|) .* (|B^T| |d_t| |B|) ] |G|}, in double. */
    private static double[] magnitudeBound(ConvGeometry geo, float[] x, int batch, float[] gy, int o) {
        int c = geo.channels();
        int h = geo.height();
        int width = geo.width();
        double[][] b = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
        double[][] gt = {{1, 0.5, 0.5, 0}, {0, 0.5, -0.5, 0}, {0, 0.5, 0.5, 1}};
        double[][] a = {{1, 0}, {1, 1}, {1, -1}, {0, -1}};
        double[][][] sums = new double[o * c][4][4];
        for (int n = 0; n < batch; n++) {
            for (int ty = 0; 2 * ty < h; ty++) {
                for (int tx = 0; 2 * tx < width; tx++) {
                    double[][][] v = new double[c][][];
                    for (int ch = 0; ch < c; ch++) {
                        double[][] d = new double[4][4];
                        for (int i = 0; i < 4; i++) {
                            for (int j = 0; j < 4; j++) {
                                int y = 2 * ty - 1 + i;
                                int xx = 2 * tx - 1 + j;
                                if (y >= 0 && y < h && xx >= 0 && xx < width) {
                                    d[i][j] = Math.abs(x[((n * c + ch) * h + y) * width + xx]);
                                }
                            }
                        }
                        v[ch] = WinogradConvTest.sandwich(b, d, b);
                    }
                    for (int f = 0; f < o; f++) {
                        double[][] dy = new double[2][2];
                        for (int i = 0; i < 2; i++) {
                            for (int j = 0; j < 2; j++) {
                                int y = 2 * ty + i;
                                int xx = 2 * tx + j;
                                if (y < h && xx < width) {
                                    dy[i][j] = Math.abs(gy[((n * o + f) * h + y) * width + xx]);
                                }
                            }
                        }
                        double[][] z = WinogradConvTest.sandwich(a, dy, a);
                        for (int ch = 0; ch < c; ch++) {
                            double[][] s = sums[f * c + ch];
                            for (int i = 0; i < 4; i++) {
                                for (int j = 0; j < 4; j++) {
                                    s[i][j] += z[i][j] * v[ch][i][j];
                                }
                            }
                        }
                    }
                }
            }
        }
        double[] bound = new double[o * c * 9];
        for (int k = 0; k < o * c; k++) {
            double[][] r = WinogradConvTest.sandwich(gt, sums[k], gt);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    bound[k * 9 + i * 3 + j] = r[i][j];
                }
            }
        }
        return bound;
    }

    private static float[] spikes(SplittableRandom rng, int n, double density) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = rng.nextDouble() < density ? 1f : 0f;
        }
        return values;
    }
}
