package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;

/**
 * The operations of docs/methods.md 4 counted the plain way while the {@link ReferenceExecutor}
 * runs: for every output value of a weight layer, every tap of its window that lies inside the
 * input and meets a counted input (any value where the input is analog, a non-zero one where it
 * comes from neurons). A sub-bit conv counts the cheaper of that and codeword reuse (docs/s2nn.md
 * 7): each counted input meets {@code 2^eta} codewords per window covering it, and each output
 * value adds its {@code in} selected maps. The runtime's counters must give the same figures.
 */
final class ReferenceCounts implements ReferenceExecutor.Observer {
    private final Graph graph;
    /** Whether each layer's output is analog (dense) rather than spikes. */
    private final boolean[] analogOut;

    private final double[] ops;

    ReferenceCounts(Graph graph) {
        this.graph = graph;
        int n = graph.layers().size();
        ops = new double[n];
        analogOut = new boolean[n];
        for (int i = 0; i < n; i++) {
            int[] from = graph.sources(i);
            boolean in = from[0] < 0 || analogOut[from[0]];
            analogOut[i] = switch (graph.layers().get(i)) {
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
    }

    /** Operations of layer {@code i} per image of a run of {@code batch} images. */
    double perImage(int i, int batch) {
        return ops[i] / batch;
    }

    @Override
    public void afterLayer(int image, int index, Layer layer, int step, float[] input, float[] output) {
        int[] from = graph.sources(index);
        boolean analog = from[0] < 0 || analogOut[from[0]];
        int[] in = graph.inputShapeOf(index);
        ops[index] += switch (layer) {
            case Layer.Conv c -> c.outChannels() * taps(input, in, c.kernel(), c.stride(), c.padding(), analog);
            case Layer.SignConv c -> c.outChannels() * taps(input, in, c.kernel(), c.stride(), c.padding(), analog);
            case Layer.CodewordConv c -> {
                double taps = taps(input, in, 3, c.stride(), c.padding(), analog);
                yield Math.min(c.outChannels() * taps, taps * c.codewords() + (double) output.length * c.inChannels());
            }
            case Layer.Linear l -> l.outFeatures() * counted(input, analog);
            case Layer.SignLinear l -> l.outFeatures() * counted(input, analog);
            default -> 0;
        };
    }

    private static double counted(float[] x, boolean analog) {
        double n = 0;
        for (float v : x) {
            n += analog || v != 0f ? 1 : 0;
        }
        return n;
    }

    /** Taps of one output channel's windows that lie inside the input and meet a counted value. */
    private static double taps(float[] x, int[] in, int k, int s, int p, boolean analog) {
        int oh = (in[1] + 2 * p - k) / s + 1;
        int ow = (in[2] + 2 * p - k) / s + 1;
        double n = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int c = 0; c < in[0]; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s + ky - p;
                            int ix = ox * s + kx - p;
                            if (iy >= 0 && iy < in[1] && ix >= 0 && ix < in[2]) {
                                float v = x[(c * in[1] + iy) * in[2] + ix];
                                n += analog || v != 0f ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }
        return n;
    }
}
