package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution's dense paths that go a tile of images at a time (im2col + GEMM forward, and the
 * input gradient {@link Conv2dOp#inputGradient}) against the direct sums in double precision: tiles
 * of one image (the output gradient read in place) and of several (copied side by side), a last
 * tile shorter than the others, stride, padding, even kernels, channel counts that are not a
 * multiple of any vector length; random, all-zero and all-one output gradients. The input
 * gradient is added to what is there.
 */
class ConvTilesTest {
    /** channels, out channels, height, width, kernel, stride, padding, images. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(32, 64, 14, 14, 3, 1, 1, 3), // fmnist-cnn's second layer: one image per tile
                Arguments.of(16, 24, 14, 14, 3, 1, 1, 5), // two images per tile, the last tile one image
                Arguments.of(3, 5, 7, 9, 3, 2, 1, 4), // the whole batch in one tile
                Arguments.of(4, 17, 6, 5, 1, 1, 0, 3),
                Arguments.of(2, 3, 8, 8, 5, 1, 2, 2),
                Arguments.of(5, 9, 10, 7, 3, 2, 0, 3),
                Arguments.of(7, 33, 5, 6, 3, 3, 2, 2),
                Arguments.of(5, 9, 6, 7, 2, 1, 1, 3),
                Arguments.of(6, 11, 5, 4, 3, 1, 2, 2),
                Arguments.of(9, 13, 11, 10, 3, 1, 0, 7));
    }

    enum OutputGradient {
        RANDOM,
        ZEROS,
        ONES
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void tilesMatchTheDirectInputGradient(int c, int o, int h, int w, int k, int stride, int pad, int batch) {
        var geo = new ConvGeometry(c, h, w, k, k, stride, pad);
        var rng = new SplittableRandom(13L * c + o + h + k + batch);
        float[] weights = new float[o * c * k * k];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        for (OutputGradient kind : OutputGradient.values()) {
            float[] gy = new float[batch * o * geo.outPixels()];
            for (int i = 0; i < gy.length; i++) {
                gy[i] = switch (kind) {
                    case RANDOM -> (float) (rng.nextDouble() * 2 - 1);
                    case ZEROS -> 0f;
                    case ONES -> 1f;
                };
            }
            float[] gx = new float[batch * c * h * w];
            Arrays.fill(gx, 0.5f); // the gradient is added to what is there
            Conv2dOp.inputGradient(geo, gy, weights, batch, o, gx);
            double[] expected = SpikeConvTest.directInputGradient(geo, weights, batch, gy, o);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += 0.5;
            }
            SpikeConvTest.assertClose(gx, expected, kind + " input gradient");
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void denseConvolutionMatchesTheDirectOne(int c, int o, int h, int w, int k, int stride, int pad, int batch) {
        var geo = new ConvGeometry(c, h, w, k, k, stride, pad);
        var rng = new SplittableRandom(17L * o + w + pad + batch);
        // No zeros in the input: Conv2dOp takes im2col + GEMM, not the event-driven kernels.
        Tensor x =
                Tensor.of(uniform(rng, batch * c * h * w, 0.25), batch, c, h, w).requiresGrad(true);
        Tensor weight = Tensor.of(uniform(rng, o * c * k * k, 0), o, c, k, k).requiresGrad(true);
        float[] gy = uniform(rng, batch * o * geo.outPixels(), 0);
        Tensor y = Conv2dOp.conv2d(x, weight, null, stride, pad);
        y.backward(gy);
        SpikeConvTest.assertClose(y.data(), SpikeConvTest.direct(geo, x.data(), batch, weight.data(), o), "forward");
        SpikeConvTest.assertClose(
                weight.grad(), SpikeConvTest.directWeightGradient(geo, x.data(), batch, gy, o), "weight gradient");
        SpikeConvTest.assertClose(
                x.grad(), SpikeConvTest.directInputGradient(geo, weight.data(), batch, gy, o), "input gradient");
    }

    /** Uniform in (-1, 1), at least {@code floor} away from zero. */
    private static float[] uniform(SplittableRandom rng, int n, double floor) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double v = floor + rng.nextDouble() * (1 - floor);
            a[i] = (float) (rng.nextBoolean() ? v : -v);
        }
        return a;
    }

    /**
     * The dense weight gradient's product {@code gw += gOut * col^T} against the sum in double
     * precision: one part (below 8192 columns), two parts with a short last one, the full sixteen;
     * channel and patch counts that are not a multiple of a vector; added to what {@code gw} holds.
     */
    @Test
    void weightProductInPartsMatchesTheDirectSum() {
        var rng = new SplittableRandom(9);
        var gemm = dev.spikebit.core.kernels.gemm.Gemms.get();
        for (int[] shape : new int[][] {{5, 9, 1}, {32, 9, 4095}, {7, 13, 8192 + 4097}, {3, 27, 70_001}}) {
            int outChannels = shape[0];
            int patch = shape[1];
            int ld = shape[2];
            float[] gOut = uniform(rng, outChannels * ld, 0);
            float[] col = uniform(rng, patch * ld, 0);
            float[] gw = new float[outChannels * patch];
            Arrays.fill(gw, 0.5f);
            Conv2dOp.weightProduct(gemm, outChannels, patch, ld, gOut, col, gw);
            for (int o = 0; o < outChannels; o++) {
                for (int q = 0; q < patch; q++) {
                    double sum = 0.5;
                    double scale = 0;
                    for (int k = 0; k < ld; k++) {
                        double term = (double) gOut[o * ld + k] * col[q * ld + k];
                        sum += term;
                        scale += Math.abs(term);
                    }
                    assertThat((double) gw[o * patch + q])
                            .as("gw[%d, %d] with %d columns", o, q, ld)
                            .isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-5 * (scale + 1)));
                }
            }
        }
    }

    @Test
    void theShapesAboveCoverOneSeveralAndAllImagesPerTile() {
        // 288 x 196 columns per image: over half the budget, one image per tile.
        assertThat(Conv2dOp.tileImages(3, 32 * 9, 14 * 14)).isEqualTo(1);
        // 144 x 196: two images per tile; five images make tiles of 2, 2 and 1.
        assertThat(Conv2dOp.tileImages(5, 16 * 9, 14 * 14)).isEqualTo(2);
        // 27 x 20: the whole batch in one tile.
        assertThat(Conv2dOp.tileImages(4, 3 * 9, 4 * 5)).isEqualTo(4);
    }
}
