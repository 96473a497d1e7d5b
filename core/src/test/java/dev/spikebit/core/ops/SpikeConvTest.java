package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.kernels.Workspace;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event-driven convolution ({@link SpikeConv}) against a direct convolution summed in double
 * precision, kernel by kernel and through {@link Conv2dOp} (which picks it for sparse inputs), on
 * shapes with odd channel counts, padding, stride and kernels larger than the padding allows, for
 * binary and real-valued spikes, all-zero and all-one inputs; and by finite differences.
 */
class SpikeConvTest {
    /** channels, out channels, height, width, kernel, stride, padding. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(32, 64, 14, 14, 3, 1, 1),
                Arguments.of(3, 5, 7, 9, 3, 2, 1),
                Arguments.of(4, 17, 6, 5, 1, 1, 0),
                Arguments.of(2, 3, 8, 8, 5, 1, 2),
                Arguments.of(5, 9, 10, 7, 3, 2, 0),
                Arguments.of(1, 1, 4, 4, 2, 2, 0),
                Arguments.of(7, 33, 5, 6, 3, 3, 2),
                Arguments.of(3, 5, 7, 9, 3, 1, 0),
                Arguments.of(5, 9, 6, 7, 2, 1, 1),
                Arguments.of(6, 11, 5, 4, 3, 1, 2),
                Arguments.of(2, 7, 9, 8, 5, 1, 1),
                // Padding wider than the kernel: some windows cover no input at all.
                Arguments.of(3, 6, 5, 4, 1, 2, 2),
                Arguments.of(2, 5, 4, 5, 2, 1, 3),
                // Rows wider than a 64-bit word of the weight gradient's bit set of non-zero inputs.
                Arguments.of(2, 9, 3, 70, 3, 1, 1));
    }

    /** The kinds of input: binary spikes, real-valued spikes (zero or above a threshold), none, all. */
    enum Input {
        BINARY,
        REAL,
        ZEROS,
        ONES
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void kernelsMatchTheDirectConvolution(int c, int o, int h, int w, int k, int stride, int pad) {
        var geo = new ConvGeometry(c, h, w, k, k, stride, pad);
        var rng = new SplittableRandom(31L * c + o + h + k);
        int batch = 3;
        float[] weights = uniform(rng, o * c * k * k);
        float[] gy = uniform(rng, batch * o * geo.outPixels());
        for (Input kind : Input.values()) {
            float[] x = input(rng, kind, batch * c * h * w, 0.15);
            float[] packed = new float[geo.patchSize() * SpikeConv.paddedChannels(o)];
            SpikeConv.packWeights(weights, o, geo, packed);
            float[] y = new float[batch * o * geo.outPixels()];
            SpikeConv.forward(geo, x, batch, packed, o, y);
            assertClose(y, direct(geo, x, batch, weights, o), kind + " forward");

            float[] gT = new float[batch * geo.outPixels() * SpikeConv.paddedChannels(o)];
            SpikeConv.transposeGradient(gy, batch, o, geo.outPixels(), gT);
            float[] gw = new float[weights.length];
            java.util.Arrays.fill(gw, 0.5f); // the kernel adds to what is there
            SpikeConv.weightGradient(geo, x, batch, gT, o, gw);
            double[] expected = directWeightGradient(geo, x, batch, gy, o);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += 0.5;
            }
            assertClose(gw, expected, kind + " weight gradient");

            if (stride == 1) {
                var layout = BorderedGradient.of(geo, o, SpikeConv.paddedChannels(o));
                float[] gwBordered = new float[weights.length];
                java.util.Arrays.fill(gwBordered, 0.5f);
                SpikeConv.weightGradient(geo, x, gy, batch, layout, gwBordered);
                assertClose(gwBordered, expected, kind + " weight gradient on the bordered gradient");

                // Garbage where the layout must write zeros: the fill has to clear the border itself.
                float[] bordered = new float[layout.imageSize()];
                for (int j = 0; j < batch; j++) {
                    java.util.Arrays.fill(bordered, Float.NaN);
                    // The same in the scratch it lays the image out in first: padding lanes must be cleared.
                    java.util.Arrays.fill(
                            Workspace.get(Workspace.Slot.GRADIENT_IMAGE, geo.outPixels() * SpikeConv.paddedChannels(o)),
                            Float.NaN);
                    layout.fillImage(gy, j, bordered);
                    for (int oy = 0; oy < geo.outHeight(); oy++) {
                        for (int ox = 0; ox < geo.outWidth(); ox++) {
                            for (int f = 0; f < SpikeConv.paddedChannels(o); f++) {
                                float want =
                                        f < o ? gy[((j * o + f) * geo.outHeight() + oy) * geo.outWidth() + ox] : 0f;
                                int at = ((oy + layout.top()) * layout.cols() + ox + layout.left())
                                                * layout.paddedChannels()
                                        + f;
                                assertThat(bordered[at]).as("laid-out gradient").isEqualTo(want);
                                bordered[at] = 0f;
                            }
                        }
                    }
                    for (float v : bordered) {
                        assertThat(v).as("border of the laid-out gradient").isZero();
                    }
                }
            }
        }
    }

    /**
     * The bordered weight gradient with every kind of split of the batch: several groups with a short
     * last one, channel blocks with a short last one, one image per group, one channel per block,
     * one group of the whole batch; binary and real spikes, added to what {@code gw} holds.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void borderedWeightGradientMatchesTheDirectOneForAnySplit(int c, int o, int h, int w, int k, int stride, int pad) {
        if (stride != 1) {
            return;
        }
        var geo = new ConvGeometry(c, h, w, k, k, stride, pad);
        var rng = new SplittableRandom(13L * c + o + h + k);
        int batch = 7;
        float[] gy = uniform(rng, batch * o * geo.outPixels());
        var layout = BorderedGradient.of(geo, o, SpikeConv.paddedChannels(o));
        int blockOfThree = Math.min(3, c);
        var splits = java.util.List.of(
                new SpikeConv.WeightGradientSplit(3, 3, (c + blockOfThree - 1) / blockOfThree, blockOfThree),
                new SpikeConv.WeightGradientSplit(7, 1, c, 1),
                new SpikeConv.WeightGradientSplit(1, 7, 1, c),
                new SpikeConv.WeightGradientSplit(2, 4, 1, c),
                SpikeConv.WeightGradientSplit.of(batch, c, k * k * layout.paddedChannels()));
        for (Input kind : new Input[] {Input.BINARY, Input.REAL}) {
            float[] x = input(rng, kind, batch * c * h * w, 0.3);
            double[] expected = directWeightGradient(geo, x, batch, gy, o);
            for (int i = 0; i < expected.length; i++) {
                expected[i] -= 0.25;
            }
            for (var split : splits) {
                float[] gw = new float[o * c * k * k];
                java.util.Arrays.fill(gw, -0.25f);
                SpikeConv.weightGradient(geo, x, gy, batch, layout, split, gw);
                assertClose(gw, expected, kind + " weight gradient, " + split);
            }
        }
    }

    @Test
    void nonZerosCountsEveryValueThatIsNotZero() {
        var rng = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 7, 8, 17, 63, 1000, 6273}) {
            float[] x = new float[n];
            long expected = 0;
            for (int i = 0; i < n; i++) {
                double u = rng.nextDouble();
                // Negative zero is zero; tiny, negative and NaN values are not.
                x[i] = u < 0.5
                        ? 0f
                        : u < 0.6 ? -0f : u < 0.7 ? Float.MIN_VALUE : u < 0.8 ? -2f : u < 0.85 ? Float.NaN : 1f;
                expected += u < 0.6 ? 0 : 1;
            }
            assertThat(SpikeConv.nonZeros(x)).as("length " + n).isEqualTo(expected);
        }
    }

    @Test
    void theWeightGradientSplitDependsOnTheShapeAndBoundsTheSums() {
        // fmnist-cnn's second convolution, a step of T 4 x batch 64: sixteen groups of sixteen images.
        var conv2 = SpikeConv.WeightGradientSplit.of(256, 32, 9 * 64);
        assertThat(conv2).isEqualTo(new SpikeConv.WeightGradientSplit(16, 16, 1, 32));
        // Fewer images than groups: one image each, still one block.
        assertThat(SpikeConv.WeightGradientSplit.of(3, 32, 9 * 64))
                .isEqualTo(new SpikeConv.WeightGradientSplit(3, 1, 6, 6));
        // A wide layer whose sums fill the budget alone: one group, the channels in blocks.
        var wide = SpikeConv.WeightGradientSplit.of(256, 512, 9 * 1024);
        assertThat(wide.groups()).isEqualTo(1);
        assertThat(wide.groupImages()).isEqualTo(256);
        assertThat(wide.blocks()).isEqualTo(16);
        assertThat(wide.blockChannels()).isEqualTo(32);
        // Every image and every channel in exactly one unit.
        for (int batch : new int[] {1, 5, 17, 256, 300}) {
            for (int channels : new int[] {1, 3, 32, 100}) {
                var split = SpikeConv.WeightGradientSplit.of(batch, channels, 9 * 64);
                assertThat((long) split.groups() * split.groupImages()).isGreaterThanOrEqualTo(batch);
                assertThat((long) (split.groups() - 1) * split.groupImages()).isLessThan(batch);
                assertThat((long) split.blocks() * split.blockChannels()).isGreaterThanOrEqualTo(channels);
                assertThat((long) (split.blocks() - 1) * split.blockChannels()).isLessThan(channels);
            }
        }
    }

    /** {@link #shapes} and shapes with more input channels than one 32-bit word of event bits holds. */
    static Stream<Arguments> shapesForTheOrder() {
        return Stream.concat(
                shapes(),
                Stream.of(
                        Arguments.of(40, 9, 6, 5, 3, 1, 1),
                        Arguments.of(64, 20, 7, 7, 3, 1, 1),
                        Arguments.of(70, 5, 5, 4, 3, 2, 1)));
    }

    /**
     * The forward pass adds in the order the class documents, to the bit: each output from +0, tap by
     * tap, each tap's non-zero inputs in channel order, one multiply-add each (an addition for a
     * value of 1). Inputs include -0 (a zero) and NaN (not one).
     */
    @ParameterizedTest
    @MethodSource("shapesForTheOrder")
    void forwardSumsInTheDocumentedOrderToTheBit(int c, int o, int h, int w, int k, int stride, int pad) {
        var geo = new ConvGeometry(c, h, w, k, k, stride, pad);
        var rng = new SplittableRandom(13L * c + o + h + stride);
        int batch = 3;
        float[] weights = uniform(rng, o * c * k * k);
        for (Input kind : Input.values()) {
            float[] x = input(rng, kind, batch * c * h * w, 0.15);
            if (kind == Input.REAL) {
                for (int i = 0; i < x.length; i += 7) {
                    x[i] = x[i] == 0f ? -0f : x[i];
                }
                x[x.length / 2] = Float.NaN;
            }
            float[] packed = new float[geo.patchSize() * SpikeConv.paddedChannels(o)];
            SpikeConv.packWeights(weights, o, geo, packed);
            float[] y = new float[batch * o * geo.outPixels()];
            SpikeConv.forward(geo, x, batch, packed, o, y);
            float[] expected = inDocumentedOrder(geo, x, batch, weights, o);
            for (int i = 0; i < y.length; i++) {
                assertThat(Float.floatToIntBits(y[i]))
                        .as("%s forward at %d: %s vs %s", kind, i, y[i], expected[i])
                        .isEqualTo(Float.floatToIntBits(expected[i]));
            }
        }
    }

    private static float[] inDocumentedOrder(ConvGeometry g, float[] x, int batch, float[] w, int o) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int k = g.kernelH();
        float[] y = new float[batch * o * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int f = 0; f < o; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float s = 0f;
                        for (int ki = 0; ki < k; ki++) {
                            for (int kj = 0; kj < k; kj++) {
                                int iy = oy * g.stride() - g.padding() + ki;
                                int ix = ox * g.stride() - g.padding() + kj;
                                if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                                    continue;
                                }
                                for (int c = 0; c < g.channels(); c++) {
                                    float v = x[((n * g.channels() + c) * g.height() + iy) * g.width() + ix];
                                    if (v != 0f) {
                                        s = Math.fma(w[((f * g.channels() + c) * k + ki) * k + kj], v, s);
                                    }
                                }
                            }
                        }
                        y[((n * o + f) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void convolutionOnSpikesMatchesTheDirectConvolutionWithAllGradients(
            int c, int o, int h, int w, int k, int stride, int pad) {
        var geo = new ConvGeometry(c, h, w, k, k, stride, pad);
        var rng = new SplittableRandom(7L * c + o + w + stride);
        int batch = 2;
        for (Input kind : new Input[] {Input.BINARY, Input.REAL, Input.ZEROS}) {
            Tensor x = Tensor.of(input(rng, kind, batch * c * h * w, 0.15), batch, c, h, w)
                    .requiresGrad(true);
            Tensor weight = Tensor.of(uniform(rng, o * c * k * k), o, c, k, k).requiresGrad(true);
            Tensor bias = Tensor.of(uniform(rng, o), o).requiresGrad(true);
            float[] gy = uniform(rng, batch * o * geo.outPixels());
            OpProfiler.start();
            Tensor y = Conv2dOp.conv2d(x, weight, bias, stride, pad);
            y.backward(gy);
            long[] eventNanos = OpProfiler.stop()[OpKind.EVENT_CONV.ordinal()];
            assertThat(eventNanos[OpProfiler.FORWARD])
                    .as("event-driven forward")
                    .isPositive();
            assertThat(eventNanos[OpProfiler.BACKWARD])
                    .as("event-driven weight gradient")
                    .isPositive();
            double[] expected = direct(geo, x.data(), batch, weight.data(), o);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += bias.data()[i / geo.outPixels() % o];
            }
            assertClose(y.data(), expected, kind + " forward");
            assertClose(weight.grad(), directWeightGradient(geo, x.data(), batch, gy, o), kind + " dW");
            assertClose(x.grad(), directInputGradient(geo, weight.data(), batch, gy, o), kind + " dX");
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void gradientsOnSpikesMatchFiniteDifferences(int c, int o, int h, int w, int k, int stride, int pad) {
        var rng = new SplittableRandom(11L * o + h + pad);
        Tensor x = Tensor.of(input(rng, Input.REAL, 2 * c * h * w, 0.1), 2, c, h, w)
                .requiresGrad(true);
        Tensor weight = GradCheck.random(rng, o, c, k, k);
        Tensor bias = GradCheck.random(rng, o);
        GradCheck.check(in -> Conv2dOp.conv2d(in[0], in[1], in[2], stride, pad), 1e-2, 1e-3, 60, x, weight, bias);
    }

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Exactly {@code round(n * density)} non-zero elements for spikes, at random places. */
    private static float[] input(SplittableRandom rng, Input kind, int n, double density) {
        float[] a = new float[n];
        if (kind == Input.ONES) {
            java.util.Arrays.fill(a, 1f);
            return a;
        }
        if (kind == Input.ZEROS) {
            return a;
        }
        int[] order = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int k = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        for (int i = 0; i < Math.round(n * density); i++) {
            a[order[i]] = kind == Input.BINARY ? 1f : (float) (0.5 + rng.nextDouble() * 2);
        }
        return a;
    }

    static double[] direct(ConvGeometry g, float[] x, int batch, float[] w, int o) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int k = g.kernelH();
        double[] y = new double[batch * o * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int f = 0; f < o; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = 0;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int iy = oy * g.stride() - g.padding() + ki;
                                    int ix = ox * g.stride() - g.padding() + kj;
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        s += (double) x[((n * g.channels() + c) * g.height() + iy) * g.width() + ix]
                                                * w[((f * g.channels() + c) * k + ki) * k + kj];
                                    }
                                }
                            }
                        }
                        y[((n * o + f) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    static double[] directWeightGradient(ConvGeometry g, float[] x, int batch, float[] gy, int o) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int k = g.kernelH();
        double[] gw = new double[o * g.channels() * k * k];
        for (int n = 0; n < batch; n++) {
            for (int f = 0; f < o; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double d = gy[((n * o + f) * oh + oy) * ow + ox];
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int iy = oy * g.stride() - g.padding() + ki;
                                    int ix = ox * g.stride() - g.padding() + kj;
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        gw[((f * g.channels() + c) * k + ki) * k + kj] +=
                                                d * x[((n * g.channels() + c) * g.height() + iy) * g.width() + ix];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return gw;
    }

    static double[] directInputGradient(ConvGeometry g, float[] w, int batch, float[] gy, int o) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int k = g.kernelH();
        double[] gx = new double[batch * g.channels() * g.height() * g.width()];
        for (int n = 0; n < batch; n++) {
            for (int f = 0; f < o; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double d = gy[((n * o + f) * oh + oy) * ow + ox];
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int iy = oy * g.stride() - g.padding() + ki;
                                    int ix = ox * g.stride() - g.padding() + kj;
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        gx[((n * g.channels() + c) * g.height() + iy) * g.width() + ix] +=
                                                d * w[((f * g.channels() + c) * k + ki) * k + kj];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return gx;
    }

    static void assertClose(float[] actual, double[] expected, String what) {
        assertThat(actual).as(what + " length").hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-5 * Math.max(1, Math.abs(expected[i])) * 16;
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("%s at %d: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tolerance);
        }
    }
}
