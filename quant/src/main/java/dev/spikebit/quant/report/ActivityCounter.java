package dev.spikebit.quant.report;

import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.FanOut;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.List;

/**
 * Counts what a run of a deployed network in the runtime's {@link ReferenceExecutor} actually did
 * (docs/methods.md 4): for every weight layer the
 * synaptic operations, for every neuron layer its firing rate.
 *
 * <p>An operation is one input value meeting one weight. A layer whose input comes straight from
 * the image (the analog part before any neuron) is dense: every input element meets all the
 * weights it touches. A layer whose input comes from neurons is event-driven: only non-zero inputs
 * count, each with its fan-out (the number of weights it meets, which for a convolution depends on
 * its position because of the padding). An operation is a MAC when a real value meets a real
 * (full-precision) weight, and an AC (an addition) when a binary spike meets any weight or any
 * value meets a +-1 weight. Nodes before the repeat node run once per image, the rest once per
 * step; nothing else (neuron updates, affine maps, pooling, residual additions) is counted, as in
 * the literature's figures. What a layer reads is the output of its input node: its predecessor,
 * or the node its model names (a projection shortcut reads its block's input).
 */
final class ActivityCounter implements ReferenceExecutor.Observer {
    /** What flows between nodes. */
    enum Activity {
        /** Real values computed from the image: dense. */
        ANALOG,
        /** Spikes in {0, 1}. */
        BINARY_SPIKES,
        /** Sparse real values: ReverB spikes, or pooled spikes. */
        REAL_SPIKES
    }

    private final List<Layer> nodes;
    private final Activity[] inputActivity;
    private final int[][] fanOut;
    final double[] macs;
    final double[] acs;
    final long[] nonZeroOutputs;
    final long[] outputs;

    ActivityCounter(Graph model) {
        this.nodes = model.layers();
        int n = nodes.size();
        inputActivity = new Activity[n];
        fanOut = new int[n][];
        macs = new double[n];
        acs = new double[n];
        nonZeroOutputs = new long[n];
        outputs = new long[n];
        List<int[]> shapes = model.shapes();
        Activity[] outputActivity = new Activity[n];
        for (int i = 0; i < n; i++) {
            Layer node = nodes.get(i);
            int[] sources = model.sources(i);
            Activity activity = sources[0] < 0 ? Activity.ANALOG : outputActivity[sources[0]];
            inputActivity[i] = activity;
            fanOut[i] = fanOut(node, sources[0] < 0 ? model.inputShape() : shapes.get(sources[0]), shapes.get(i));
            outputActivity[i] = switch (node) {
                case Layer.Neuron neuron -> neuron.realOutput() ? Activity.REAL_SPIKES : Activity.BINARY_SPIKES;
                case Layer.AvgPool p -> activity == Activity.BINARY_SPIKES ? Activity.REAL_SPIKES : activity;
                case Layer.MaxPool p -> activity;
                case Layer.Flatten f -> activity;
                case Layer.Repeat r -> activity;
                case Layer.MeanOverTime m -> activity;
                // A sum of two spike maps is still sparse (SEW-ResNet); a sum with anything real is dense.
                case Layer.Add a ->
                    activity != Activity.ANALOG && outputActivity[sources[1]] != Activity.ANALOG
                            ? Activity.REAL_SPIKES
                            : Activity.ANALOG;
                default -> Activity.ANALOG;
            };
        }
    }

    /** Whether the node's weights are full precision (real), not +-1. */
    private static boolean realWeights(Layer node) {
        return node instanceof Layer.Conv || node instanceof Layer.Linear;
    }

    @Override
    public void afterLayer(int image, int index, Layer node, int step, float[] input, float[] output) {
        if (node instanceof Layer.Neuron) {
            long count = 0;
            for (float v : output) {
                if (v != 0f) {
                    count++;
                }
            }
            nonZeroOutputs[index] += count;
            outputs[index] += output.length;
        }
        int[] fan = fanOut[index];
        if (fan == null) {
            return;
        }
        Activity activity = inputActivity[index];
        boolean dense = activity == Activity.ANALOG;
        int per = fan.length;
        int samples = input.length / per;
        int outPer = output.length / Math.max(1, samples);
        double ops = 0;
        for (int b = 0; b < samples; b++) {
            double direct = directOps(input, b * per, per, fan, dense);
            // A sub-bit conv counts the cheaper of the direct sum and codeword reuse, per sample
            // (as a runtime choosing per image would), so the figure does not depend on the batch.
            ops += node instanceof Layer.CodewordConv c
                    ? Math.min(direct, codewordReuseOps(c, input, b * per, per, outPer, fan, dense))
                    : direct;
        }
        boolean mac = realWeights(node) && activity != Activity.BINARY_SPIKES;
        if (mac) {
            macs[index] += ops;
        } else {
            acs[index] += ops;
        }
    }

    /**
     * Additions of a sub-bit conv computed with codeword reuse (docs/methods.md 3): each (non-zero)
     * input meets each of the {@code 2^eta} codewords at every window covering it
     * ({@code fan / out} windows), then each output element sums its {@code in} selected maps.
     * The accounting takes the cheaper of this and the direct count, per sample, as a runtime would.
     */
    private static double codewordReuseOps(
            Layer.CodewordConv c, float[] input, int from, int per, int outputs, int[] fan, boolean dense) {
        double ops = 0;
        int codewords = 1 << c.eta();
        for (int i = 0; i < per; i++) {
            if (dense || input[from + i] != 0f) {
                ops += (double) fan[i] / c.outChannels() * codewords;
            }
        }
        return ops + (double) outputs * c.inChannels();
    }

    /** Direct operations of one sample: each (non-zero) input element times its fan-out. */
    private static double directOps(float[] input, int from, int per, int[] fan, boolean dense) {
        double ops = 0;
        for (int i = 0; i < per; i++) {
            if (dense || input[from + i] != 0f) {
                ops += fan[i];
            }
        }
        return ops;
    }

    /**
     * For a weight layer, the number of weights each input element (of one sample) meets; null for
     * other nodes.
     */
    private static int[] fanOut(Layer node, int[] in, int[] out) {
        return switch (node) {
            case Layer.Conv c -> FanOut.conv(in, out, c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.SignConv c -> FanOut.conv(in, out, c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.CodewordConv c -> FanOut.conv(in, out, c.outChannels(), 3, c.stride(), c.padding());
            case Layer.Linear l -> FanOut.linear(l.inFeatures(), l.outFeatures());
            case Layer.SignLinear l -> FanOut.linear(l.inFeatures(), l.outFeatures());
            default -> null;
        };
    }
}
