package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.Arrays;
import java.util.List;

/**
 * The deployed network of docs/reverb.md 3 written as plainly as possible: one image at a time,
 * one scalar loop per definition, every sum accumulated in double and rounded to float once. It is
 * the reference that the runtime's kernels ({@link Model}) and the training network's evaluation
 * are compared with, and the run that the training side's accounting watches ({@link Observer}).
 *
 * <p>Convolutions and linear layers go input by input: each non-zero input value meets the weights
 * of the outputs it reaches (a zero adds nothing, so skipping it changes no sum). A sign weight is
 * +1 or -1 and its product is exact, so a sign layer computes exactly the sums of additions and
 * subtractions the runtime's kernels compute (in another order); a sub-bit layer runs as the signs
 * its codewords spell out. The layers before the repeat node
 * run once per image, the rest at each of the T steps; the outputs of the layers a later layer
 * names as its input (the operands of a residual add, the block input a projection reads) are kept
 * for it. The readout sums the last layer's output over the steps in order, then multiplies by
 * {@code 1/T}, as the training network's readout does.
 *
 * <p>It is written to be obviously right rather than fast: a single thread, no kernels shared with
 * the runtime's fast paths, so that a fault in those cannot hide in the reference.
 */
public final class ReferenceExecutor {
    /** Watches a run, one image at a time. */
    public interface Observer {
        /**
         * Called after every layer.
         *
         * @param image  the image's index in the batch
         * @param index  the layer's index in the graph
         * @param step   the time step, or -1 for the layers before the repeat node (run once)
         * @param input  what the layer read, one image (for an add, its first operand)
         * @param output what it produced, one image
         */
        void afterLayer(int image, int index, Layer layer, int step, float[] input, float[] output);

        /** Whether {@link #potentials} should be called; off by default because it costs a copy. */
        default boolean wantsPotentials() {
            return false;
        }

        /**
         * The pre-spike potentials {@code U[t]} of a neuron layer at one step, in the layer's own
         * units (after a folded binary layer, {@code H / k}), before the reset.
         */
        default void potentials(int image, int index, Layer.Neuron layer, int step, float[] potentials) {}
    }

    private static final Observer NONE = (image, index, layer, step, input, output) -> {};

    private final Graph graph;
    private final List<Layer> layers;
    private final int[][] sources;
    private final int[][] inShapes;
    /** Each weight layer's weights as floats, made on first use ({@link #weights}). */
    private final float[][] weights;

    private ReferenceExecutor(Graph graph) {
        this.graph = graph;
        this.layers = graph.layers();
        int n = layers.size();
        sources = new int[n][];
        inShapes = new int[n][];
        weights = new float[n][];
        for (int i = 0; i < n; i++) {
            sources[i] = graph.sources(i);
            inShapes[i] = graph.inputShapeOf(i);
        }
    }

    /** Class scores {@code [batch, numClasses]} (row-major) of {@code batch} images laid out one after the other. */
    public static float[] logits(Graph graph, float[] images, int batch) {
        return run(graph, images, batch, NONE);
    }

    /** {@link #logits} with an observer. */
    public static float[] run(Graph graph, float[] images, int batch, Observer observer) {
        int per = Graph.count(graph.inputShape());
        if (batch < 1 || (long) batch * per != images.length) {
            throw new IllegalArgumentException("model " + graph.model() + ": " + images.length
                    + " input values are not " + batch + " images of shape " + Arrays.toString(graph.inputShape()));
        }
        ReferenceExecutor executor = new ReferenceExecutor(graph);
        int classes = graph.numClasses();
        float[] out = new float[batch * classes];
        for (int b = 0; b < batch; b++) {
            float[] scores = executor.image(b, Arrays.copyOfRange(images, b * per, (b + 1) * per), observer);
            System.arraycopy(scores, 0, out, b * classes, classes);
        }
        return out;
    }

    private float[] image(int b, float[] image, Observer observer) {
        int n = layers.size();
        int repeat = graph.repeatIndex();
        float[][] results = new float[n][];
        float[][] state = new float[n][];
        for (int i = 0; i <= repeat; i++) {
            results[i] = step(b, i, -1, image, results, state, observer);
        }
        int last = n - 1;
        float[] sum = new float[graph.numClasses()];
        for (int t = 0; t < graph.timeSteps(); t++) {
            for (int i = repeat + 1; i < n; i++) {
                results[i] = step(b, i, t, image, results, state, observer);
            }
            for (int j = 0; j < sum.length; j++) {
                sum[j] += results[last][j];
            }
        }
        float inv = 1f / graph.timeSteps();
        for (int j = 0; j < sum.length; j++) {
            sum[j] *= inv;
        }
        return sum;
    }

    /** Runs layer {@code i} on what it reads, the image or earlier results, and reports it. */
    private float[] step(int b, int i, int t, float[] image, float[][] results, float[][] state, Observer observer) {
        Layer layer = layers.get(i);
        int[] from = sources[i];
        float[] x = from[0] < 0 ? image : results[from[0]];
        int[] in = inShapes[i];
        float[] y = switch (layer) {
            case Layer.Add a -> add(x, results[from[1]]);
            case Layer.Neuron neuron -> {
                if (state[i] == null) {
                    state[i] = new float[x.length];
                }
                float[] potentials = observer.wantsPotentials() ? new float[x.length] : null;
                float[] spikes = neuron(neuron, x, state[i], potentials);
                if (potentials != null) {
                    observer.potentials(b, i, neuron, t, potentials);
                }
                yield spikes;
            }
            default -> apply(layer, x, in, weights(i));
        };
        observer.afterLayer(b, i, layer, t, x, y);
        return y;
    }

    /** Every layer but the stateful neurons and the two-operand add; {@code weights} as {@link #weights} gives them. */
    private static float[] apply(Layer layer, float[] x, int[] in, float[] weights) {
        return switch (layer) {
            case Layer.Normalize n -> {
                float[] y = new float[x.length];
                int plane = x.length / in[0];
                for (int i = 0; i < x.length; i++) {
                    y[i] = (x[i] - n.mean()[i / plane]) * (1f / n.std()[i / plane]);
                }
                yield y;
            }
            case Layer.Affine a -> {
                float[] y = new float[x.length];
                int plane = x.length / in[0];
                for (int i = 0; i < x.length; i++) {
                    y[i] = x[i] * a.scale()[i / plane] + a.shift()[i / plane];
                }
                yield y;
            }
            case Layer.Conv c -> conv(x, in, c.outChannels(), c.kernel(), c.stride(), c.padding(), weights, c.bias());
            case Layer.SignConv c -> conv(x, in, c.outChannels(), c.kernel(), c.stride(), c.padding(), weights, null);
            case Layer.CodewordConv c -> conv(x, in, c.outChannels(), 3, c.stride(), c.padding(), weights, null);
            case Layer.Linear l -> linear(x, l.outFeatures(), weights, l.bias());
            case Layer.SignLinear l -> linear(x, l.outFeatures(), weights, null);
            case Layer.MaxPool p -> pool(x, in, p.kernel(), p.stride(), true);
            case Layer.AvgPool p ->
                p.isGlobal() ? pool(x, in, in[1], in[1], false) : pool(x, in, p.kernel(), p.stride(), false);
            case Layer.Flatten f -> x;
            case Layer.Repeat r -> x;
            case Layer.MeanOverTime m -> x;
            case Layer.Neuron n -> throw new IllegalStateException("neuron " + n.name() + " runs with its state");
            case Layer.Add a -> throw new IllegalStateException("add " + a.name() + " needs its two operands");
        };
    }

    private static float[] add(float[] a, float[] b) {
        float[] y = new float[a.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    /**
     * One step of LIF neurons with hard reset (docs/methods.md 2): {@code h = tau U + (x + bias)},
     * fire when {@code h >= threshold}, emit 1 or {@code scale h}, reset to 0.
     */
    private static float[] neuron(Layer.Neuron n, float[] x, float[] u, float[] potentials) {
        float[] y = new float[x.length];
        int plane = x.length / n.channels();
        for (int i = 0; i < x.length; i++) {
            int c = i / plane;
            float h = n.bias() == null ? n.tau() * u[i] + x[i] : n.tau() * u[i] + (x[i] + n.bias()[c]);
            if (potentials != null) {
                potentials[i] = h;
            }
            if (h >= n.threshold()[c]) {
                y[i] = n.realOutput() ? (n.scale() == null ? h : n.scale()[c] * h) : 1f;
                u[i] = 0f;
            } else {
                u[i] = h;
            }
        }
        return y;
    }

    private static float[] pool(float[] x, int[] in, int k, int s, boolean max) {
        int oh = (in[1] - k) / s + 1;
        int ow = (in[2] - k) / s + 1;
        float[] y = new float[in[0] * oh * ow];
        for (int c = 0; c < in[0]; c++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    float sum = 0f;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            float v = x[(c * in[1] + oy * s + ky) * in[2] + ox * s + kx];
                            m = Math.max(m, v);
                            sum += v;
                        }
                    }
                    y[(c * oh + oy) * ow + ox] = max ? m : sum * (1f / (k * k));
                }
            }
        }
        return y;
    }

    /**
     * The weights of layer {@code i} as floats {@code [out, fan-in]}, row-major: a full-precision
     * layer's own, a sign layer's +1.0 and -1.0 written out once per run (a sub-bit layer's from its
     * codewords); null for layers without weights.
     */
    private float[] weights(int i) {
        if (weights[i] == null) {
            weights[i] = switch (layers.get(i)) {
                case Layer.Conv c -> c.weight();
                case Layer.Linear l -> l.weight();
                case Layer.SignConv c -> signs(c.outChannels(), c.signs().rowLength(), c.signs()::isPositive);
                case Layer.SignLinear l -> signs(l.outFeatures(), l.inFeatures(), l.signs()::isPositive);
                case Layer.CodewordConv c -> signs(c.outChannels(), c.inChannels() * 9, c::isPositive);
                default -> null;
            };
        }
        return weights[i];
    }

    /** Whether sign {@code j} of output {@code o} is +1. */
    private interface Sign {
        boolean positive(int o, int j);
    }

    private static float[] signs(int rows, int rowLength, Sign sign) {
        float[] w = new float[rows * rowLength];
        for (int o = 0; o < rows; o++) {
            for (int j = 0; j < rowLength; j++) {
                w[o * rowLength + j] = sign.positive(o, j) ? 1f : -1f;
            }
        }
        return w;
    }

    /**
     * A convolution, input by input: each non-zero input value meets, at every output position
     * whose window covers it, the weight of that tap for each output channel (a zero input adds
     * nothing, and taps outside the input, the padding, meet no input). The sums are kept in double
     * and rounded once; a +-1 weight's product is exact.
     */
    private static float[] conv(float[] x, int[] in, int outChannels, int k, int s, int p, float[] w, float[] bias) {
        int channels = in[0];
        int h = in[1];
        int width = in[2];
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (width + 2 * p - k) / s + 1;
        int plane = oh * ow;
        int fanIn = channels * k * k;
        double[] acc = new double[outChannels * plane];
        for (int c = 0; c < channels; c++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < width; ix++) {
                    float v = x[(c * h + iy) * width + ix];
                    if (v == 0f) {
                        continue;
                    }
                    for (int ky = 0; ky < k; ky++) {
                        int ty = iy + p - ky; // = oy * s for the output row whose tap ky reads this input
                        if (ty < 0 || ty % s != 0 || ty / s >= oh) {
                            continue;
                        }
                        for (int kx = 0; kx < k; kx++) {
                            int tx = ix + p - kx;
                            if (tx < 0 || tx % s != 0 || tx / s >= ow) {
                                continue;
                            }
                            int at = ty / s * ow + tx / s;
                            int j = (c * k + ky) * k + kx;
                            for (int o = 0; o < outChannels; o++) {
                                acc[o * plane + at] += (double) w[o * fanIn + j] * v;
                            }
                        }
                    }
                }
            }
        }
        float[] y = new float[acc.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) acc[i] + (bias == null ? 0f : bias[i / plane]);
        }
        return y;
    }

    /** A fully connected layer, input by input, zero inputs skipped, sums in double rounded once. */
    private static float[] linear(float[] x, int outFeatures, float[] w, float[] bias) {
        double[] acc = new double[outFeatures];
        for (int j = 0; j < x.length; j++) {
            if (x[j] == 0f) {
                continue;
            }
            for (int o = 0; o < outFeatures; o++) {
                acc[o] += (double) w[o * x.length + j] * x[j];
            }
        }
        float[] y = new float[outFeatures];
        for (int o = 0; o < outFeatures; o++) {
            y[o] = (float) acc[o] + (bias == null ? 0f : bias[o]);
        }
        return y;
    }
}
