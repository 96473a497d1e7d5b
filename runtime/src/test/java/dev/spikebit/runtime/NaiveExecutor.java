package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Layer;
import java.util.List;

/**
 * The deployed network of docs/reverb.md 3 written as plainly as possible, one scalar loop per
 * definition and a multiply by +-1.0 for a sign weight: the reference the runtime's kernels are
 * compared with. Also counts the operations of docs/methods.md 4 in the same plain way.
 */
final class NaiveExecutor {
    double[] ops;

    float[] logits(Model model, float[] images, int batch) {
        List<Layer> layers = model.layers();
        int[] shape0 = model.inputShape();
        int per = shape0[0] * shape0[1] * shape0[2];
        int classes = model.numClasses();
        float[] out = new float[batch * classes];
        ops = new double[layers.size()];
        int repeat = 0;
        while (!(layers.get(repeat) instanceof Layer.Repeat)) {
            repeat++;
        }
        int n = layers.size();
        // Whether each layer's output is analog (dense) rather than spikes (counted per non-zero value).
        boolean[] analogOut = new boolean[n];
        for (int i = 0; i < n; i++) {
            int[] from = model.sources(i);
            boolean in = from[0] < 0 || analogOut[from[0]];
            analogOut[i] = switch (layers.get(i)) {
                case Layer.Neuron neuron -> false;
                case Layer.Conv c -> true;
                case Layer.Linear l -> true;
                case Layer.SignConv c -> true;
                case Layer.SignLinear l -> true;
                case Layer.CodewordConv c -> true;
                case Layer.Affine a -> true;
                case Layer.Normalize z -> true;
                case Layer.Add a -> in || analogOut[from[1]];
                default -> in;
            };
        }
        this.analogOut = analogOut;
        for (int b = 0; b < batch; b++) {
            float[] image = java.util.Arrays.copyOfRange(images, b * per, (b + 1) * per);
            float[][] results = new float[n][];
            float[][] state = new float[n][];
            float[] sum = new float[classes];
            for (int i = 0; i <= repeat; i++) {
                results[i] = step(model, i, image, results, state);
            }
            for (int t = 0; t < model.timeSteps(); t++) {
                for (int i = repeat + 1; i < n; i++) {
                    results[i] = step(model, i, image, results, state);
                }
                for (int j = 0; j < classes; j++) {
                    sum[j] += results[n - 1][j];
                }
            }
            for (int j = 0; j < classes; j++) {
                out[b * classes + j] = sum[j] * (1f / model.timeSteps());
            }
        }
        for (int i = 0; i < ops.length; i++) {
            ops[i] /= batch;
        }
        return out;
    }

    private boolean[] analogOut;

    /** Runs layer {@code i} on what it reads: the image or earlier layers' results. */
    private float[] step(Model model, int i, float[] image, float[][] results, float[][] state) {
        Layer layer = model.layers().get(i);
        int[] from = model.sources(i);
        float[] x = from[0] < 0 ? image : results[from[0]];
        int[] shape = from[0] < 0 ? model.inputShape() : model.outputShapes().get(from[0]);
        if (layer instanceof Layer.Add) {
            float[] other = results[from[1]];
            float[] y = new float[x.length];
            for (int j = 0; j < y.length; j++) {
                y[j] = x[j] + other[j];
            }
            return y;
        }
        if (layer instanceof Layer.Neuron && state[i] == null) {
            state[i] = new float[x.length];
        }
        boolean analog = from[0] < 0 || analogOut[from[0]];
        return apply(layer, i, x, shape, state[i], analog);
    }

    private float[] apply(Layer layer, int index, float[] x, int[] in, float[] u, boolean analog) {
        return switch (layer) {
            case Layer.Normalize n -> {
                float[] y = new float[x.length];
                int plane = in[1] * in[2];
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
            case Layer.Conv c ->
                conv(
                        index,
                        x,
                        in,
                        c.outChannels(),
                        c.kernel(),
                        c.stride(),
                        c.padding(),
                        analog,
                        (o, j) -> c.weight()[o * c.inChannels() * c.kernel() * c.kernel() + j],
                        c.bias());
            case Layer.SignConv c ->
                conv(
                        index,
                        x,
                        in,
                        c.outChannels(),
                        c.kernel(),
                        c.stride(),
                        c.padding(),
                        analog,
                        (o, j) -> c.signs().isPositive(o, j) ? 1f : -1f,
                        null);
            case Layer.CodewordConv c -> {
                // As the sign convolution of its written-out signs; counted as the cheaper of that and
                // codeword reuse (docs/s2nn.md 7): each counted input meets 2^eta codewords per window
                // covering it, and each output value adds its `in` selected maps.
                double before = ops[index];
                float[] y = conv(
                        index,
                        x,
                        in,
                        c.outChannels(),
                        3,
                        c.stride(),
                        c.padding(),
                        analog,
                        (o, j) -> c.isPositive(o, j) ? 1f : -1f,
                        null);
                double direct = ops[index] - before;
                double reuse = direct / c.outChannels() * c.codewords() + (double) y.length * c.inChannels();
                ops[index] = before + Math.min(direct, reuse);
                yield y;
            }
            case Layer.Linear l ->
                linear(index, x, l.outFeatures(), analog, (o, j) -> l.weight()[o * l.inFeatures() + j], l.bias());
            case Layer.SignLinear l ->
                linear(index, x, l.outFeatures(), analog, (o, j) -> l.signs().isPositive(o, j) ? 1f : -1f, null);
            case Layer.Neuron n -> {
                float[] y = new float[x.length];
                int plane = x.length / n.channels();
                for (int i = 0; i < x.length; i++) {
                    int c = i / plane;
                    float h = n.bias() == null ? n.tau() * u[i] + x[i] : n.tau() * u[i] + (x[i] + n.bias()[c]);
                    if (h >= n.threshold()[c]) {
                        y[i] = n.realOutput() ? (n.scale() == null ? h : n.scale()[c] * h) : 1f;
                        u[i] = 0f;
                    } else {
                        u[i] = h;
                    }
                }
                yield y;
            }
            case Layer.MaxPool p -> pool(x, in, p.kernel(), p.stride(), true);
            case Layer.AvgPool p ->
                p.isGlobal() ? pool(x, in, in[1], in[1], false) : pool(x, in, p.kernel(), p.stride(), false);
            case Layer.Add a -> throw new IllegalArgumentException("an add is run by step(), which has both operands");
            case Layer.Flatten f -> x;
            case Layer.Repeat r -> x;
            case Layer.MeanOverTime m -> x;
        };
    }

    interface Weight {
        float at(int out, int j);
    }

    private float[] conv(
            int index, float[] x, int[] in, int outC, int k, int s, int p, boolean analog, Weight w, float[] bias) {
        int oh = (in[1] + 2 * p - k) / s + 1;
        int ow = (in[2] + 2 * p - k) / s + 1;
        float[] y = new float[outC * oh * ow];
        for (int o = 0; o < outC; o++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    for (int c = 0; c < in[0]; c++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * s + ky - p;
                                int ix = ox * s + kx - p;
                                if (iy >= 0 && iy < in[1] && ix >= 0 && ix < in[2]) {
                                    float v = x[(c * in[1] + iy) * in[2] + ix];
                                    sum += w.at(o, (c * k + ky) * k + kx) * (double) v;
                                    if (analog || v != 0f) {
                                        ops[index]++;
                                    }
                                }
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = (float) sum + (bias == null ? 0f : bias[o]);
                }
            }
        }
        return y;
    }

    private float[] linear(int index, float[] x, int outF, boolean analog, Weight w, float[] bias) {
        float[] y = new float[outF];
        for (int o = 0; o < outF; o++) {
            double sum = 0;
            for (int j = 0; j < x.length; j++) {
                sum += w.at(o, j) * (double) x[j];
                if (analog || x[j] != 0f) {
                    ops[index]++;
                }
            }
            y[o] = (float) sum + (bias == null ? 0f : bias[o]);
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
}
