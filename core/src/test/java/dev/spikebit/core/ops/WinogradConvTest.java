package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The input gradient by Winograd F(2x2, 3x3) against the direct sums in double precision, on shapes
 * with odd heights and widths (a last tile row or column half outside the image), a single pixel,
 * channel counts that are not a multiple of any vector length, batches whose last block of images
 * is shorter than the others, and images larger than a block.
 *
 * <p><b>Tolerance.</b> Each output is compared with the error bound of the algorithm, computed per
 * element in double precision (Higham's bound for sums, applied to each stage as in Barabasz et
 * al., "Error analysis and improving the accuracy of Winograd convolution for deep neural
 * networks", 2020): with {@code u = 2^-24} and {@code gamma_n = n u / (1 - n u)},
 * <pre>
 *   |computed - exact| <= gamma_(O + 9) * ( |gx before| + |A^T| [ sum_o (|G| |w'| |G^T|) .* (|B^T| |d| |B|) ] |A| )
 * </pre>
 * where {@code O + 9} counts the roundings on the longest path: two in the input transform (a sum
 * of two terms in each direction), one in the weight transform (double precision, rounded once),
 * one in the product, {@code O - 1} in the sum over the output channels, four in the output
 * transform (three terms in each direction) and one adding into {@code gx}. The bound is about
 * {@code 4e-6} of the magnitudes for 64 output channels; a wrong transform misses by their size.
 */
class WinogradConvTest {
    private static final double U = 0x1p-24;

    /** channels, out channels, height, width, images. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(32, 64, 14, 14, 5), // fmnist-cnn's second layer; blocks of 4 images, the last of 1
                Arguments.of(17, 19, 7, 7, 3), // odd sides: the last tiles half outside
                Arguments.of(20, 16, 5, 12, 2),
                Arguments.of(16, 33, 1, 1, 5), // one pixel: a tile of which one output is kept
                Arguments.of(18, 21, 2, 9, 1),
                Arguments.of(16, 17, 29, 31, 2), // 240 tiles: one image per block, larger than a block
                Arguments.of(40, 24, 6, 3, 70)); // many images per block
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void matchesTheDirectInputGradientWithinWinogradsErrorBound(int c, int o, int h, int w, int batch) {
        var geo = new ConvGeometry(c, h, w, 3, 3, 1, 1);
        assertThat(WinogradConv.supports(geo, o)).isTrue();
        var rng = new SplittableRandom(31L * c + 7L * o + h * 3L + w + batch);
        float[] weights = uniform(rng, o * c * 9, 1);
        float[] gy = uniform(rng, batch * o * h * w, 100); // any scale: the bound scales with it
        float[] before = uniform(rng, batch * c * h * w, 10);
        float[] gx = before.clone();
        WinogradConv.inputGradient(geo, gy, weights, batch, o, gx);

        double[] exact = SpikeConvTest.directInputGradient(geo, weights, batch, gy, o);
        double[] bound = magnitudeBound(geo, weights, batch, gy, o);
        double gamma = (o + 9) * U / (1 - (o + 9) * U);
        for (int i = 0; i < exact.length; i++) {
            double expected = before[i] + exact[i];
            double tolerance = gamma * (Math.abs(before[i]) + bound[i]);
            assertThat(Math.abs(gx[i] - expected))
                    .as("gx[%d]: %s vs %s", i, gx[i], expected)
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    /**
     * The panel product against the general one on row-major weights: the same sums in the same
     * order, so the same bits, for row counts below, at and above six (with and without a partial
     * last strip) and column counts of one vector, whole panels and a narrow last panel.
     */
    @ParameterizedTest
    @CsvSource({"1, 5, 1", "5, 7, 2", "6, 3, 2", "7, 64, 3", "13, 9, 4", "196, 64, 4", "200, 17, 5", "12, 32, 1"})
    void thePanelProductGivesTheGeneralProductsBits(int rows, int k, int vectors) {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        int cPad = vectors * lanes;
        int rowStride = k + 3; // rows further apart than their length, as in the transformed tiles
        var rng = new SplittableRandom(rows * 101L + k * 7L + vectors);
        float[] v = uniform(rng, 5 + rows * rowStride, 1);
        float[] u = uniform(rng, k * cPad, 1);
        float[] panels = new float[2 + k * cPad];
        for (int p = 0; p < k; p++) {
            for (int c = 0; c < cPad; c++) {
                int panel = c / WinogradConv.PANEL * WinogradConv.PANEL;
                int width = Math.min(WinogradConv.PANEL, cPad - panel);
                panels[2 + panel * k + p * width + c - panel] = u[p * cPad + c];
            }
        }
        float[] want = new float[3 + rows * cPad];
        float[] got = new float[3 + rows * cPad];
        WinogradConv.product(v, 5, rowStride, 1, rows, k, u, 0, cPad, want, 3, false);
        WinogradConv.panelProduct(v, 5, rowStride, rows, k, panels, 2, cPad, got, 3);
        for (int i = 0; i < want.length; i++) {
            assertThat(Float.floatToRawIntBits(got[i]))
                    .as("element %d: %s vs %s", i, got[i], want[i])
                    .isEqualTo(Float.floatToRawIntBits(want[i]));
        }
    }

    /**
     * The blocks are claimed by whichever pool thread is free; run all of them on one pool thread
     * instead (what one thread does) and the bits must be the same.
     */
    @Test
    void givesTheSameBitsOnOneThreadAsOnThePool() {
        var geo = new ConvGeometry(32, 14, 14, 3, 3, 1, 1);
        int o = 64;
        int batch = 23;
        var rng = new SplittableRandom(5);
        float[] weights = uniform(rng, o * 32 * 9, 1);
        float[] gy = uniform(rng, batch * o * geo.outPixels(), 1);
        float[] pooled = new float[batch * 32 * 14 * 14];
        WinogradConv.inputGradient(geo, gy, weights, batch, o, pooled);
        float[] alone = new float[pooled.length];
        // A loop body on a pool thread runs nested loops on that thread alone.
        Parallel.range(Parallel.threads(), 1, (from, to) -> {
            if (from == 0) {
                WinogradConv.inputGradient(geo, gy, weights, batch, o, alone);
            }
        });
        assertThat(alone).isEqualTo(pooled);
    }

    @Test
    void takesOnlyThreeByThreeStrideOnePaddingOneWithEnoughChannels() {
        assertThat(WinogradConv.supports(new ConvGeometry(32, 14, 14, 3, 3, 1, 1), 64))
                .isTrue();
        assertThat(WinogradConv.supports(new ConvGeometry(32, 14, 14, 3, 3, 2, 1), 64))
                .isFalse();
        assertThat(WinogradConv.supports(new ConvGeometry(32, 14, 14, 3, 3, 1, 0), 64))
                .isFalse();
        assertThat(WinogradConv.supports(new ConvGeometry(32, 14, 14, 5, 5, 1, 2), 64))
                .isFalse();
        assertThat(WinogradConv.supports(new ConvGeometry(1, 28, 28, 3, 3, 1, 1), 32))
                .isFalse();
        assertThat(WinogradConv.supports(new ConvGeometry(32, 14, 14, 3, 3, 1, 1), 8))
                .isFalse();
        assertThat(WinogradConv.supports(new ConvGeometry(16, 5, 3, 3, 3, 1, 1), 16))
                .isTrue();
    }

    /** Through {@link Conv2dOp}: the same input gradient with the kernel on and off (property). */
    @Test
    void conv2dTakesItAndTheColumnsPathAgrees() {
        var rng = new SplittableRandom(3);
        int batch = 5;
        Tensor w = Tensor.of(uniform(rng, 24 * 16 * 9, 1), 24, 16, 3, 3);
        float[] input = uniform(rng, batch * 16 * 9 * 11, 1);
        float[] gy = uniform(rng, batch * 24 * 9 * 11, 1);
        float[] winograd = inputGradient(input, w, gy, batch);
        String old = System.getProperty(WinogradConv.PROPERTY);
        System.setProperty(WinogradConv.PROPERTY, "false");
        float[] columns;
        try {
            columns = inputGradient(input, w, gy, batch);
        } finally {
            if (old == null) {
                System.clearProperty(WinogradConv.PROPERTY);
            } else {
                System.setProperty(WinogradConv.PROPERTY, old);
            }
        }
        double[] exact =
                SpikeConvTest.directInputGradient(new ConvGeometry(16, 9, 11, 3, 3, 1, 1), w.data(), batch, gy, 24);
        SpikeConvTest.assertClose(winograd, exact, "Winograd");
        SpikeConvTest.assertClose(columns, exact, "GEMM + col2im");
        assertThat(winograd).isNotEqualTo(columns); // two algorithms: the last bits differ somewhere
    }

    private static float[] inputGradient(float[] input, Tensor w, float[] gy, int batch) {
        Tensor x = Tensor.of(input.clone(), batch, 16, 9, 11).requiresGrad(true);
        Conv2dOp.conv2d(x, w, null, 1, 1).backward(gy);
        return x.grad().clone();
    }

    /**
     * Per element of the input gradient: {@code |A^T| [ sum_o (|G| |w'| |G^T|) .* (|B^T| |d| |B|) ] |A|}
     * over the 2x2 tile that holds it, in double precision.
     */
    private static double[] magnitudeBound(ConvGeometry geo, float[] w, int batch, float[] gy, int o) {
        int c = geo.channels();
        int h = geo.height();
        int width = geo.width();
        double[][] b = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
        double[][] g = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        double[][] a = {{1, 1, 1, 0}, {0, 1, -1, -1}};
        double[][][] u = new double[o * c][][];
        for (int f = 0; f < o; f++) {
            for (int ch = 0; ch < c; ch++) {
                double[][] k = new double[3][3];
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        k[i][j] = Math.abs(w[((f * c + ch) * 3 + 2 - i) * 3 + 2 - j]);
                    }
                }
                u[f * c + ch] = sandwich(g, k, g);
            }
        }
        double[] bound = new double[batch * c * h * width];
        for (int n = 0; n < batch; n++) {
            for (int ty = 0; 2 * ty < h; ty++) {
                for (int tx = 0; 2 * tx < width; tx++) {
                    double[][][] v = new double[o][][];
                    for (int f = 0; f < o; f++) {
                        double[][] d = new double[4][4];
                        for (int i = 0; i < 4; i++) {
                            for (int j = 0; j < 4; j++) {
                                int y = 2 * ty - 1 + i;
                                int x = 2 * tx - 1 + j;
                                if (y >= 0 && y < h && x >= 0 && x < width) {
                                    d[i][j] = Math.abs(gy[((n * o + f) * h + y) * width + x]);
                                }
                            }
                        }
                        v[f] = sandwich(b, d, b);
                    }
                    for (int ch = 0; ch < c; ch++) {
                        double[][] m = new double[4][4];
                        for (int f = 0; f < o; f++) {
                            for (int i = 0; i < 4; i++) {
                                for (int j = 0; j < 4; j++) {
                                    m[i][j] += u[f * c + ch][i][j] * v[f][i][j];
                                }
                            }
                        }
                        double[][] y = sandwich(a, m, a);
                        for (int i = 0; i < 2; i++) {
                            for (int j = 0; j < 2; j++) {
                                int yy = 2 * ty + i;
                                int xx = 2 * tx + j;
                                if (yy < h && xx < width) {
                                    bound[((n * c + ch) * h + yy) * width + xx] = y[i][j];
                                }
                            }
                        }
                    }
                }
            }
        }
        return bound;
    }

    /** {@code |left| x |right|^T} for a non-negative {@code x}. */
    static double[][] sandwich(double[][] left, double[][] x, double[][] right) {
        double[][] t = new double[left.length][x[0].length];
        for (int i = 0; i < left.length; i++) {
            for (int k = 0; k < x.length; k++) {
                for (int j = 0; j < x[0].length; j++) {
                    t[i][j] += Math.abs(left[i][k]) * x[k][j];
                }
            }
        }
        double[][] out = new double[left.length][right.length];
        for (int i = 0; i < left.length; i++) {
            for (int j = 0; j < right.length; j++) {
                for (int k = 0; k < x[0].length; k++) {
                    out[i][j] += t[i][k] * Math.abs(right[j][k]);
                }
            }
        }
        return out;
    }

    /** Uniform in (-scale, scale). */
    static float[] uniform(SplittableRandom rng, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return values;
    }
}
