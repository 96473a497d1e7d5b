package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.FanOut;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.kernels.Buffers;
import dev.spikebit.runtime.kernels.CodewordConvKernel;
import dev.spikebit.runtime.kernels.CodewordMaps;
import dev.spikebit.runtime.kernels.FloatKernels;
import dev.spikebit.runtime.kernels.NeuronKernel;
import dev.spikebit.runtime.kernels.SignConvEvents;
import dev.spikebit.runtime.kernels.SignConvKernel;
import dev.spikebit.runtime.kernels.SignLinearKernel;
import java.util.List;

/**
 * What the executor needs to know about a graph, computed once per model: the input shape of
 * each layer, the fan-out of each input value of each weight layer (for the counters of
 * docs/methods.md 4), whether a layer's input is analog (dense, from the image) or spikes, whether its
 * operations are multiplies, and the scratch sizes of the kernels.
 */
final class Plan {
    /**
     * Input density below which a sign convolution takes the event-driven path under
     * {@link ExecutionPath#AUTO}. Measured on fmnist-cnn's 32 -> 64, 3x3, 14x14 layer (docs/runtime.md):
     * the dense kernel's cost does not depend on the density, the event kernel's grows with it, and
     * the row-table dense kernel and the output-stationary event kernel cross at about 0.4 (AVX2,
     * thread CPU time per call: 110 us dense against 46 us events at density 0.1, 90 at 0.25, 110-130
     * at 0.35, 135-141 at 0.5).
     */
    static final double EVENTS_BELOW_CONV = 0.4;
    /**
     * The crossover for a sign convolution whose output stays position-major ({@link #pixelPitch}):
     * there the event kernel writes the layout the neurons read, and the dense kernel's output is
     * transposed into it, so the dense path costs a tenth more. Measured on fmnist-cnn's 32 -> 64,
     * 3x3, 14x14 layer on real inputs (AVX2, thread CPU time per call, min of 30 rounds): event
     * 94 / 109 / 121 us at density 0.40 / 0.45 / 0.50 against 108-110 us dense with the
     * transposition. With the general 0.4, the few steps just above it (18 of 1,024 on Fashion-MNIST
     * test images, all below 0.45) took the dense kernel, which was slower there, and which then ran
     * so rarely that the JIT compiled it late and, in some JVMs, badly (docs/performance.md).
     */
    static final double EVENTS_BELOW_CONV_PIXELS = 0.45;
    /** The same crossover for sign fully connected layers (3136 -> 128: about 0.6). */
    static final double EVENTS_BELOW_LINEAR = 0.6;

    final Graph graph;
    final List<Layer> layers;
    final int[][] inShapes;
    final int[] inSizes;
    final int[] outSizes;
    /** For weight layers, the weights each input value meets; null otherwise. */
    final int[][] fanOut;
    /** Whether the layer's input comes from the image (counted dense) rather than from neurons. */
    final boolean[] analogInput;
    /** Whether the layer's operations are multiplies (MACs) rather than additions. */
    final boolean[] multiplies;
    /** For 3x3 stride-1 sign convolutions, {@link SignConvKernel#rowTableOffsets}; null otherwise. */
    final int[][] rowTableOffsets;
    /** For sign convolutions, {@link SignConvEvents#flips}; null otherwise. */
    final int[][] signFlips;
    /** For sub-bit convolutions, {@link CodewordConvKernel#compileMaps}; null otherwise. */
    final CodewordMaps[] codewordMaps;

    /** For each layer, the layers it reads ({@link Graph#sources}): -1 for the image. */
    final int[][] sources;

    /**
     * For a neuron layer whose only reader is a 2x2, stride 2 max pooling, that pooling's index: the
     * executor runs both in one pass ({@link NeuronKernel#stepPooled}) and the pooling layer only
     * hands on what was written for it. -1 otherwise.
     */
    final int[] pooledBy;
    /** Whether a max pooling layer was computed by the neuron layer before it ({@link #pooledBy}). */
    final boolean[] pooledEarlier;

    /**
     * For a sign convolution whose only reader is a neuron layer fused with its pooling
     * ({@link #pooledBy}), the pitch of its output kept position-major ({@link SignConvEvents#runPixels}:
     * no transposition; the dense path's output is transposed into that layout) and of that neuron
     * layer's input and state ({@link NeuronKernel#stepPooledPixels}); 0 for every other layer.
     */
    final int[] pixelPitch;
    /**
     * For a neuron layer with {@link #pixelPitch}, or with one value per channel (run by
     * {@link NeuronKernel#stepChannels}), {@link NeuronKernel#channelConstants}; null otherwise.
     */
    final float[][] neuronConstants;

    final int repeat;
    final int scratchFloats;
    final int scratchInts;
    /** Floats of the buffer in which the dense path of a {@link #pixelPitch} convolution leaves its output. */
    final int denseFloats;

    final int maxInput;

    Plan(Graph graph) {
        this.graph = graph;
        this.layers = graph.layers();
        int n = layers.size();
        inShapes = new int[n][];
        inSizes = new int[n];
        outSizes = new int[n];
        fanOut = new int[n][];
        analogInput = new boolean[n];
        multiplies = new boolean[n];
        rowTableOffsets = new int[n][];
        codewordMaps = new CodewordMaps[n];
        signFlips = new int[n][];
        sources = new int[n][];
        pooledBy = new int[n];
        pooledEarlier = new boolean[n];
        repeat = graph.repeatIndex();
        // What flows out of each layer: analog values, binary spikes, or real-valued (or pooled) spikes.
        String[] produced = new String[n];
        int scratch = 0;
        int ints = 0;
        int maxIn = 0;
        for (int i = 0; i < n; i++) {
            Layer layer = layers.get(i);
            sources[i] = graph.sources(i);
            String activity = sources[i][0] < 0 ? "analog" : produced[sources[i][0]];
            int[] in = graph.inputShapeOf(i);
            inShapes[i] = in;
            inSizes[i] = Graph.count(in);
            outSizes[i] = Graph.count(graph.shapes().get(i));
            maxIn = Math.max(maxIn, inSizes[i]);
            analogInput[i] = activity.equals("analog");
            boolean realWeights = layer instanceof Layer.Conv || layer instanceof Layer.Linear;
            multiplies[i] = realWeights && !activity.equals("binary");
            int[] out = graph.shapes().get(i);
            switch (layer) {
                case Layer.Conv c -> {
                    fanOut[i] = FanOut.conv(in, out, c.outChannels(), c.kernel(), c.stride(), c.padding());
                    scratch = Math.max(scratch, FloatKernels.convScratch(c, in[1], in[2]));
                }
                case Layer.SignConv c -> {
                    fanOut[i] = FanOut.conv(in, out, c.outChannels(), c.kernel(), c.stride(), c.padding());
                    scratch = Math.max(scratch, SignConvKernel.denseScratch(c, in[1], in[2]));
                    scratch = Math.max(scratch, SignConvEvents.floatScratch(c, in[1], in[2]));
                    ints = Math.max(ints, SignConvEvents.intScratch(c, in[1], in[2]));
                    rowTableOffsets[i] = SignConvKernel.rowTableOffsets(c, in[1], in[2]);
                    signFlips[i] = SignConvEvents.flips(c);
                }
                case Layer.CodewordConv c -> {
                    fanOut[i] = FanOut.conv(in, out, c.outChannels(), c.kernel(), c.stride(), c.padding());
                    scratch = Math.max(scratch, CodewordConvKernel.scratch(c, in[1], in[2]));
                    codewordMaps[i] = CodewordConvKernel.compileMaps(c);
                }
                case Layer.Linear l -> fanOut[i] = FanOut.linear(l.inFeatures(), l.outFeatures());
                case Layer.SignLinear l -> {
                    fanOut[i] = FanOut.linear(l.inFeatures(), l.outFeatures());
                    scratch = Math.max(scratch, SignLinearKernel.eventScratch(l));
                }
                default -> {}
            }
            produced[i] = switch (layer) {
                case Layer.Neuron neuron -> neuron.realOutput() ? "real" : "binary";
                // A sum of two spike maps is still sparse (SEW-ResNet); a sum with anything analog is dense.
                case Layer.Add a ->
                    !activity.equals("analog") && !produced[sources[i][1]].equals("analog") ? "real" : "analog";
                case Layer.AvgPool p -> activity.equals("binary") ? "real" : activity;
                case Layer.MaxPool p -> activity;
                case Layer.Flatten f -> activity;
                case Layer.Repeat r -> activity;
                case Layer.MeanOverTime m -> activity;
                default -> "analog";
            };
        }
        java.util.Arrays.fill(pooledBy, -1);
        for (int i = 0; i + 1 < n; i++) {
            if (layers.get(i) instanceof Layer.Neuron
                    && inShapes[i].length == 3
                    && layers.get(i + 1) instanceof Layer.MaxPool p
                    && p.kernel() == 2
                    && p.stride() == 2
                    && onlyReaderIsNext(i)) {
                pooledBy[i] = i + 1;
                pooledEarlier[i + 1] = true;
                scratch = Math.max(scratch, NeuronKernel.pooledScratch(inShapes[i][1], inShapes[i][2]));
            }
        }
        pixelPitch = new int[n];
        neuronConstants = new float[n][];
        int dense = 0;
        for (int i = 0; i + 1 < n; i++) {
            if (layers.get(i) instanceof Layer.SignConv c
                    && layers.get(i + 1) instanceof Layer.Neuron neuron
                    && pooledBy[i + 1] >= 0
                    && onlyReaderIsNext(i)) {
                int pitch = SignConvEvents.pitch(c.outChannels());
                pixelPitch[i] = pitch;
                pixelPitch[i + 1] = pitch;
                neuronConstants[i + 1] = NeuronKernel.channelConstants(neuron, pitch);
                int[] out = graph.shapes().get(i);
                scratch = Math.max(scratch, NeuronKernel.pooledPixelsScratch(out[1], out[2], pitch));
                dense = Math.max(dense, outSizes[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (layers.get(i) instanceof Layer.Neuron neuron
                    && pixelPitch[i] == 0
                    && pooledBy[i] < 0
                    && inSizes[i] == neuron.channels()) {
                // One value per channel: the channels are the vector lanes (NeuronKernel.stepChannels).
                neuronConstants[i] = NeuronKernel.channelConstants(neuron, SignConvEvents.pitch(neuron.channels()));
            }
        }
        denseFloats = dense;
        scratchFloats = scratch;
        scratchInts = ints;
        maxInput = maxIn;
    }

    /** Whether layer {@code i + 1} reads layer {@code i}'s output, and no other layer does. */
    private boolean onlyReaderIsNext(int i) {
        if (sources[i + 1].length != 1 || sources[i + 1][0] != i) {
            return false;
        }
        for (int j = 0; j < sources.length; j++) {
            for (int source : sources[j]) {
                if (source == i && j != i + 1) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Floats of layer {@code i}'s output buffer ({@link Buffers#SLACK} after the values), and of its
     * state if it is a neuron layer: position-major with the pitch for {@link #pixelPitch}.
     */
    int bufferFloats(int i) {
        if (pixelPitch[i] == 0) {
            return outSizes[i] + Buffers.SLACK;
        }
        int[] shape = graph.shapes().get(i);
        return shape[1] * shape[2] * pixelPitch[i] + Buffers.SLACK;
    }

    /** Whether layer {@code i} has a dense and an event-driven kernel. */
    boolean hasEventPath(int i) {
        return layers.get(i) instanceof Layer.SignConv || layers.get(i) instanceof Layer.SignLinear;
    }

    /** The input density below which {@link ExecutionPath#AUTO} runs layer {@code i}'s event-driven kernel. */
    double eventsBelow(int i) {
        if (layers.get(i) instanceof Layer.SignConv) {
            return pixelPitch[i] > 0 ? EVENTS_BELOW_CONV_PIXELS : EVENTS_BELOW_CONV;
        }
        return EVENTS_BELOW_LINEAR;
    }

    /**
     * The additions a sub-bit convolution is counted for (docs/s2nn.md 7), given the direct count
     * {@code direct} of one image's step (each counted input times its fan-out, as for the
     * equivalent sign convolution): the smaller of that and the codeword-reuse count, in which each
     * counted input meets the {@code 2^eta} codewords at each window covering it
     * ({@code fan-out / out} windows) and each output value adds its {@code in} selected maps.
     */
    double codewordAdds(int i, double direct) {
        Layer.CodewordConv c = (Layer.CodewordConv) layers.get(i);
        double reuse = direct / c.outChannels() * c.codewords() + (double) outSizes[i] * c.inChannels();
        return Math.min(direct, reuse);
    }
}
