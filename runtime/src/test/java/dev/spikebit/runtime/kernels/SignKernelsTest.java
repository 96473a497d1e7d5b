package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.SignMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sign kernels, dense and event-driven, against the definition {@code b[o] = sum_j s(o, j) x[j]}
 * summed in double, on shapes that exercise the tails: channel counts that are not multiples of
 * 8, widths that are not multiples of the vector length, strides 1 and 2, kernels 1, 3 and 5,
 * sparse and dense inputs.
 */
class SignKernelsTest {
    private static byte[] randomBits(SplittableRandom rng, int rows, int length) {
        int rowBytes = (length + 7) / 8;
        byte[] bits = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < length; j++) {
                if (rng.nextBoolean()) {
                    bits[r * rowBytes + j / 8] |= (byte) (1 << (j % 8));
                }
            }
        }
        return bits;
    }

    private static float[] input(SplittableRandom rng, int n, double density) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() < density ? (float) (rng.nextDouble() * 2 - 0.5) : 0f;
        }
        return x;
    }

    private static int nonZeros(float[] x, int[] events) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0f) {
                events[n++] = i;
            }
        }
        return n;
    }

    @ParameterizedTest(name = "{0}->{1} channels, {2}x{3}, kernel {4}, stride {5}, padding {6}, density {7}")
    @CsvSource({
        "3, 10, 7, 9, 3, 1, 1, 0.3",
        "32, 64, 14, 14, 3, 1, 1, 0.15",
        "5, 17, 11, 6, 3, 2, 1, 1.0",
        "4, 8, 9, 9, 5, 1, 2, 0.5",
        "6, 3, 5, 13, 1, 1, 0, 0.05",
        "2, 9, 8, 8, 3, 2, 0, 0.7",
        "7, 5, 6, 10, 3, 1, 0, 0.6",
        "3, 4, 5, 5, 3, 1, 2, 0.8",
        "1, 2, 1, 17, 3, 1, 1, 1.0",
        "5, 130, 6, 7, 3, 1, 1, 0.4",
        "9, 33, 8, 5, 3, 2, 1, 0.0",
        "3, 72, 7, 7, 1, 2, 0, 1.0",
        "17, 24, 9, 8, 3, 2, 2, 0.25",
        "4, 40, 5, 4, 5, 1, 2, 1.0",
        "33, 9, 6, 7, 3, 1, 1, 0.3",
        "70, 12, 5, 5, 3, 2, 1, 1.0",
        "35, 8, 2, 3, 3, 1, 1, 0.5"
    })
    void convPathsMatchTheDefinition(int inC, int outC, int h, int w, int k, int s, int p, double density) {
        SplittableRandom rng = new SplittableRandom(inC * 31L + outC);
        var signs = SignMatrix.ofRows(outC, inC * k * k, randomBits(rng, outC, inC * k * k));
        var layer = new Layer.SignConv("c", inC, outC, k, s, p, signs);
        float[] x = input(rng, inC * h * w, density);
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        double[] expected = new double[outC * oh * ow];
        for (int o = 0; o < outC; o++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int c = 0; c < inC; c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * s + ky - p;
                                int ix = ox * s + kx - p;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    double sign = signs.isPositive(o, (c * k + ky) * k + kx) ? 1 : -1;
                                    expected[(o * oh + oy) * ow + ox] += sign * x[(c * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] scratch = new float[SignConvKernel.denseScratch(layer, h, w)];
        float[] dense = new float[expected.length];
        // Garbage in the output and the scratch must not leak into the result.
        java.util.Arrays.fill(dense, 7f);
        java.util.Arrays.fill(scratch, 3f);
        SignConvKernel.dense(layer, x, 0, h, w, dense, 0, scratch, SignConvKernel.rowTableOffsets(layer, h, w));
        float[] shifted = new float[expected.length];
        java.util.Arrays.fill(shifted, 7f);
        java.util.Arrays.fill(scratch, 4f);
        SignConvKernel.denseShiftedPlanes(layer, x, 0, h, w, shifted, 0, scratch);
        float[] sparse = new float[expected.length];
        java.util.Arrays.fill(sparse, 6f);
        float[] floats = new float[SignConvEvents.floatScratch(layer, h, w)];
        int[] ints = new int[SignConvEvents.intScratch(layer, h, w)];
        java.util.Arrays.fill(floats, 2f);
        java.util.Arrays.fill(ints, 1);
        SignConvEvents.run(layer, SignConvEvents.flips(layer), x, 0, h, w, sparse, 0, floats, ints);
        // The same sums position-major, at an offset, garbage around them untouched.
        int pitch = SignConvEvents.pitch(outC);
        float[] pixels = new float[3 + oh * ow * pitch + 5];
        java.util.Arrays.fill(pixels, 5f);
        java.util.Arrays.fill(floats, 2f);
        java.util.Arrays.fill(ints, 1);
        SignConvEvents.runPixels(layer, SignConvEvents.flips(layer), x, 0, h, w, pixels, 3, floats, ints);
        assertThat(pixels[2]).isEqualTo(5f);
        assertThat(pixels[3 + oh * ow * pitch]).isEqualTo(5f);
        for (int o = 0; o < outC; o++) {
            for (int q = 0; q < oh * ow; q++) {
                assertThat(pixels[3 + q * pitch + o])
                        .as("position-major %d %d", o, q)
                        .isEqualTo(sparse[o * oh * ow + q]);
            }
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) dense[i])
                    .as("dense %d", i)
                    .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4));
            assertThat((double) shifted[i])
                    .as("shifted planes %d", i)
                    .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4));
            assertThat((double) sparse[i])
                    .as("events %d", i)
                    .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4));
        }
    }

    /**
     * The sliding rows of the 3x3, stride 1, padding 1 event kernel give the same sums, bit for bit,
     * as the window-at-a-time kernel of any geometry, from zero and added to sums already there:
     * widths 1 and 2 (the first pixel is also the last), channel counts that leave single vectors
     * after the blocks of four, more than 32 input channels (two mask words per pixel), and inputs
     * with negative zeros.
     */
    @ParameterizedTest(name = "{0}->{1} channels, {2}x{3}, density {4}")
    @CsvSource({
        "32, 64, 14, 14, 0.25",
        "3, 10, 7, 9, 0.3",
        "33, 130, 5, 6, 0.4",
        "5, 17, 4, 1, 0.8",
        "2, 9, 3, 2, 1.0",
        "1, 2, 1, 17, 0.5",
        "70, 24, 6, 5, 0.1",
        "8, 8, 9, 9, 0.0"
    })
    void slidingRowsAreTheWindowsSumsBitForBit(int inC, int outC, int h, int w, double density) {
        SplittableRandom rng = new SplittableRandom(inC * 31L + outC * 5L + h);
        var signs = SignMatrix.ofRows(outC, inC * 9, randomBits(rng, outC, inC * 9));
        var layer = new Layer.SignConv("c", inC, outC, 3, 1, 1, signs);
        float[] x = input(rng, inC * h * w, density);
        for (int i = 0; i < x.length; i += 7) {
            x[i] = x[i] == 0f ? -0f : x[i];
        }
        // Every third input row empty in all channels: rows the sliding kernel skips.
        for (int c = 0; c < inC; c++) {
            for (int y = 1; y < h; y += 3) {
                java.util.Arrays.fill(x, (c * h + y) * w, (c * h + y + 1) * w, 0f);
            }
        }
        int[] flips = SignConvEvents.flips(layer);
        int pitch = SignConvEvents.pitch(outC);
        float[] floats = new float[SignConvEvents.floatScratch(layer, h, w)];
        int[] ints = new int[SignConvEvents.intScratch(layer, h, w)];
        float[] start = input(rng, 3 + h * w * pitch + 5, 0.9);
        float[] sliding = start.clone();
        float[] windows = start.clone();
        SignConvEvents.addPixels(layer, flips, x, 0, h, w, sliding, 3, floats, ints);
        java.util.Arrays.fill(floats, 2f);
        java.util.Arrays.fill(ints, 1);
        SignConvEvents.addPixelsByWindows(layer, flips, x, 0, h, w, windows, 3, floats, ints);
        assertThat(java.util.Arrays.mismatch(sliding, windows)).isEqualTo(-1);
        float[] fromZero = new float[start.length];
        SignConvEvents.runPixels(layer, flips, x, 0, h, w, fromZero, 3, floats, ints);
        float[] windowsFromZero = new float[start.length];
        SignConvEvents.addPixelsByWindows(layer, flips, x, 0, h, w, windowsFromZero, 3, floats, ints);
        assertThat(java.util.Arrays.mismatch(fromZero, windowsFromZero)).isEqualTo(-1);
    }

    /**
     * {@link SignConvEvents#addPixels} on the change between two inputs, added to the first input's
     * sums, gives the second input's sums ({@code conv(x2) = conv(x1) + conv(x2 - x1)}): changes
     * that switch values off, on, and to other values, and no change at all.
     */
    @ParameterizedTest(
            name = "{0}->{1} channels, {2}x{3}, kernel {4}, stride {5}, padding {6}, density {7}, changed {8}")
    @CsvSource({
        "32, 64, 14, 14, 3, 1, 1, 0.25, 0.05",
        "3, 10, 7, 9, 3, 1, 1, 0.3, 0.5",
        "5, 17, 11, 6, 3, 2, 1, 0.9, 0.2",
        "4, 8, 9, 9, 5, 1, 2, 0.5, 1.0",
        "33, 9, 6, 7, 3, 1, 1, 0.1, 0.0",
        "9, 33, 8, 5, 3, 2, 1, 0.0, 0.3",
        "1, 2, 1, 17, 3, 1, 1, 1.0, 0.1",
        "7, 5, 6, 10, 3, 1, 0, 0.6, 0.7"
    })
    void changeAddedToEarlierSumsGivesTheNewSums(
            int inC, int outC, int h, int w, int k, int s, int p, double density, double changed) {
        SplittableRandom rng = new SplittableRandom(inC * 131L + outC * 7L + k);
        var signs = SignMatrix.ofRows(outC, inC * k * k, randomBits(rng, outC, inC * k * k));
        var layer = new Layer.SignConv("c", inC, outC, k, s, p, signs);
        float[] x1 = input(rng, inC * h * w, density);
        float[] x2 = x1.clone();
        for (int i = 0; i < x2.length; i++) {
            if (rng.nextDouble() < changed) {
                // Off, on, or another value.
                x2[i] = switch (rng.nextInt(3)) {
                    case 0 -> 0f;
                    default -> (float) (rng.nextDouble() * 2 - 0.5);
                };
            }
        }
        float[] change = new float[x2.length];
        InputCensus.subtract(x2, x1, x2.length, change);
        int differ = 0;
        for (int i = 0; i < x2.length; i++) {
            differ += x2[i] != x1[i] ? 1 : 0;
            assertThat(change[i] != 0f).as("change %d", i).isEqualTo(x2[i] != x1[i]);
        }
        assertThat(InputCensus.differences(x2, x1, x2.length)).isEqualTo(differ);
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        int pitch = SignConvEvents.pitch(outC);
        int[] flips = SignConvEvents.flips(layer);
        float[] floats = new float[SignConvEvents.floatScratch(layer, h, w)];
        int[] ints = new int[SignConvEvents.intScratch(layer, h, w)];
        float[] sums = new float[3 + oh * ow * pitch + 5];
        java.util.Arrays.fill(sums, 5f);
        SignConvEvents.runPixels(layer, flips, x1, 0, h, w, sums, 3, floats, ints);
        java.util.Arrays.fill(floats, 2f);
        java.util.Arrays.fill(ints, 1);
        SignConvEvents.addPixels(layer, flips, change, 0, h, w, sums, 3, floats, ints);
        assertThat(sums[2]).isEqualTo(5f);
        assertThat(sums[3 + oh * ow * pitch]).isEqualTo(5f);
        for (int o = 0; o < outC; o++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double expected = 0;
                    for (int c = 0; c < inC; c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * s + ky - p;
                                int ix = ox * s + kx - p;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    double sign = signs.isPositive(o, (c * k + ky) * k + kx) ? 1 : -1;
                                    expected += sign * x2[(c * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    assertThat((double) sums[3 + (oy * ow + ox) * pitch + o])
                            .as("channel %d at %d,%d", o, oy, ox)
                            .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-4));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1}, density {2}")
    @CsvSource({
        "37, 13, 0.3",
        "3136, 128, 0.1",
        "8, 8, 1.0",
        "65, 1, 0.5",
        "1, 20, 1.0",
        "50, 130, 0.4",
        "70, 200, 0.0",
        "33, 72, 1.0"
    })
    void linearPathsMatchTheDefinition(int in, int out, double density) {
        SplittableRandom rng = new SplittableRandom(in * 7L + out);
        var signs = SignMatrix.ofRows(out, in, randomBits(rng, out, in));
        var layer = new Layer.SignLinear("l", in, out, signs);
        float[] x = input(rng, in, density);
        float[] dense = new float[out];
        SignLinearKernel.dense(layer, x, 0, dense, 0);
        int[] events = new int[in];
        int count = nonZeros(x, events);
        float[] sparse = new float[out];
        float[] scratch = new float[SignLinearKernel.eventScratch(layer)];
        java.util.Arrays.fill(scratch, 9f);
        SignLinearKernel.events(layer, x, 0, events, count, sparse, 0, scratch);
        for (int o = 0; o < out; o++) {
            double e = 0;
            for (int j = 0; j < in; j++) {
                e += (signs.isPositive(o, j) ? 1 : -1) * (double) x[j];
            }
            assertThat((double) dense[o]).isCloseTo(e, org.assertj.core.api.Assertions.within(1e-4));
            assertThat((double) sparse[o]).isCloseTo(e, org.assertj.core.api.Assertions.within(1e-4));
        }
    }

    /**
     * The event-driven linear kernel adds, per output, the signed events in their order to a sum
     * that starts at 0, whatever block of vectors holds the output (eight, four or one): the same
     * floats bit for bit as that sum written out in scalar code. Output counts that use blocks of
     * eight with 8 and 16 lanes, then four, then single vectors; a sum of -0 (negative zeros only).
     */
    @ParameterizedTest(name = "{0} -> {1}, density {2}")
    @CsvSource({"3136, 128, 0.25", "40, 200, 0.5", "9, 72, 1.0", "50, 130, 0.4", "5, 3, 1.0", "12, 256, 0.3"})
    void linearEventsAreTheScalarSumInEventOrder(int in, int out, double density) {
        SplittableRandom rng = new SplittableRandom(in * 11L + out);
        var signs = SignMatrix.ofRows(out, in, randomBits(rng, out, in));
        var layer = new Layer.SignLinear("l", in, out, signs);
        float[] x = input(rng, in, density);
        x[0] = -0f;
        int[] events = new int[in];
        int count = 0;
        for (int j = 0; j < in; j++) {
            if (x[j] != 0f || j == 0) {
                events[count++] = j;
            }
        }
        float[] sparse = new float[out];
        float[] scratch = new float[SignLinearKernel.eventScratch(layer)];
        SignLinearKernel.events(layer, x, 0, events, count, sparse, 0, scratch);
        for (int o = 0; o < out; o++) {
            float sum = 0f;
            for (int e = 0; e < count; e++) {
                float v = x[events[e]];
                sum += signs.isPositive(o, events[e]) ? v : -v;
            }
            assertThat(Float.floatToRawIntBits(sparse[o])).as("output %d", o).isEqualTo(Float.floatToRawIntBits(sum));
        }
    }
}
