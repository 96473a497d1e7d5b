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
 * <p>A sign weight is +1 or -1 and its product is exact, so a sign layer computes exactly the sums
 * of additions and subtractions the runtime's kernels compute (in another order); a sub-bit layer
 * runs as the signs its codewords spell out. The layers before the repeat node
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

    private ReferenceExecutor(Graph graph) {
        this.graph = graph;
        this.layers = graph.layers();
        int n = layers.size();
        sources = new int[n][];
        inShapes = new int[n][];
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
            default -> apply(layer, x, in);
        };
        observer.afterLayer(b, i, layer, t, x, y);
        return y;
    }

    /** Every layer but the stateful neurons and the two-operand add. */
    private static float[] apply(Layer layer, float[] x, int[] in) {
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
            case Layer.Conv c -> {
                int k = c.kernel();
                yield new Conv(in, c.outChannels(), k, c.stride(), c.padding())
                        .run(x, (o, j) -> c.weight()[o * c.inChannels() * k * k + j], c.bias());
            }
            case Layer.SignConv c ->
                new Conv(in, c.outChannels(), c.kernel(), c.stride(), c.padding())
                        .run(x, (o, j) -> c.signs().isPositive(o, j) ? 1 : -1, null);
            case Layer.CodewordConv c ->
                new Conv(in, c.outChannels(), 3, c.stride(), c.padding())
                        .run(x, (o, j) -> c.isPositive(o, j) ? 1 : -1, null);
            case Layer.Linear l -> {
                float[] y = new float[l.outFeatures()];
                for (int o = 0; o < y.length; o++) {
                    double sum = 0;
                    for (int j = 0; j < x.length; j++) {
                        sum += (double) l.weight()[o * l.inFeatures() + j] * x[j];
                    }
                    y[o] = (float) sum + (l.bias() == null ? 0f : l.bias()[o]);
                }
                yield y;
            }
            case Layer.SignLinear l -> {
                float[] y = new float[l.outFeatures()];
                for (int o = 0; o < y.length; o++) {
                    double sum = 0;
                    for (int j = 0; j < x.length; j++) {
                        if (l.signs().isPositive(o, j)) {
                            sum += x[j];
                        } else {
                            sum -= x[j];
                        }
                    }
                    y[o] = (float) sum;
                }
                yield y;
            }
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

    /** Weight {@code j = (c k + ky) k + kx} of output {@code o} (+1.0 or -1.0 for a sign weight). */
    private interface Weight {
        double at(int o, int j);
    }

    /** A convolution's geometry; taps outside the image (the padding) are skipped. */
    private record Conv(int[] in, int outChannels, int k, int s, int p) {
        /**
         * Per output channel, the terms of every weight in row order (input channel, kernel row,
         * kernel column), summed in double and rounded once; a +-1 weight's product is exact.
         */
        float[] run(float[] x, Weight w, float[] bias) {
            int oh = (in[1] + 2 * p - k) / s + 1;
            int ow = (in[2] + 2 * p - k) / s + 1;
            float[] y = new float[outChannels * oh * ow];
            double[] acc = new double[oh * ow];
            for (int o = 0; o < outChannels; o++) {
                Arrays.fill(acc, 0);
                for (int c = 0; c < in[0]; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            double weight = w.at(o, (c * k + ky) * k + kx);
                            // The outputs whose tap (ky, kx) lies inside the input: 0 <= o * s + k - p < size.
                            int oyFrom = first(ky, p, s);
                            int oyTo = Math.min(oh, last(ky, p, s, in[1]));
                            int oxFrom = first(kx, p, s);
                            int oxTo = Math.min(ow, last(kx, p, s, in[2]));
                            for (int oy = oyFrom; oy < oyTo; oy++) {
                                int row = (c * in[1] + oy * s + ky - p) * in[2] + kx - p;
                                int out = oy * ow;
                                for (int ox = oxFrom; ox < oxTo; ox++) {
                                    acc[out + ox] += weight * x[row + ox * s];
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < acc.length; i++) {
                    y[o * acc.length + i] = (float) acc[i] + (bias == null ? 0f : bias[o]);
                }
            }
            return y;
        }

        /** The first output position whose tap at offset {@code t} is not left of the input. */
        private static int first(int t, int p, int s) {
            return p > t ? (p - t + s - 1) / s : 0;
        }

        /** One past the last output position whose tap at offset {@code t} is inside an input of {@code size}. */
        private static int last(int t, int p, int s, int size) {
            int limit = size - 1 + p - t;
            return limit < 0 ? 0 : limit / s + 1;
        }
    }
}
