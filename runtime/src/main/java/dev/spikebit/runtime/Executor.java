package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.kernels.Buffers;
import dev.spikebit.runtime.kernels.CodewordConvKernel;
import dev.spikebit.runtime.kernels.FloatKernels;
import dev.spikebit.runtime.kernels.InputCensus;
import dev.spikebit.runtime.kernels.NeuronKernel;
import dev.spikebit.runtime.kernels.PoolKernels;
import dev.spikebit.runtime.kernels.SignConvEvents;
import dev.spikebit.runtime.kernels.SignConvKernel;
import dev.spikebit.runtime.kernels.SignLinearKernel;
import java.util.List;

/**
 * Runs a deployed network on images one at a time with direct encoding: the layers before the
 * repeat node once, the rest at each of the T steps, then the mean over T of the last layer (the
 * steps summed in order, then times {@code 1 / T}, as the training readout computes it). Each layer
 * reads the output of the layers its plan names ({@link Plan#sources}): its predecessor in a chain,
 * the two operands of a residual add, the block input of a projection shortcut.
 *
 * <p>One executor belongs to one thread: it owns every buffer of one image's run (each layer's
 * output, the neurons' state, the kernels' scratch, the list of non-zero inputs) and its counters.
 * A model is run in parallel by giving each thread its own executor and its own images. The
 * model keeps idle executors for the next call ({@link #resetCounters} first), so a call does not
 * allocate and touch the buffers afresh: at batch 1 that costs more than the image.
 */
final class Executor {
    private final Plan plan;
    private final ExecutionPath path;
    private final float[][] outputs;
    /** What each layer produced in the current step (its own buffer, or its input for a pass-through). */
    private final float[][] results;

    private final float[][] state;
    private final float[] scratch;
    /** The dense path's output of a convolution whose output is kept position-major ({@link Plan#pixelPitch}). */
    private final float[] denseOutput;

    /** For sign convolutions run at every step, their earlier steps of the current image; null otherwise. */
    private final EarlierSteps[] earlier;

    private final int[] events;
    private final int[] ints;
    private final float[] sum;

    // Counters, summed over the images this executor ran.
    final long[] inputs;
    final long[] nonZero;
    final double[] ops;
    final long[] denseRuns;
    final long[] eventRuns;
    /** Of the event runs, those that started from an earlier step's sums ({@link EarlierSteps}). */
    final long[] changeRuns;

    final long[] spikes;
    final long[] neurons;
    /** Nanoseconds spent in each layer, summed over the images run, when {@link #timed}. */
    final long[] nanos;
    /** Whether {@link #run} times each layer ({@link Model#profile}). */
    boolean timed;

    Executor(Plan plan, ExecutionPath path) {
        this.plan = plan;
        this.path = path;
        int n = plan.layers.size();
        outputs = new float[n][];
        results = new float[n][];
        state = new float[n][];
        for (int i = 0; i < n; i++) {
            Layer layer = plan.layers.get(i);
            if (!(layer instanceof Layer.Flatten
                    || layer instanceof Layer.Repeat
                    || layer instanceof Layer.MeanOverTime)) {
                outputs[i] = new float[plan.bufferFloats(i)];
            }
            if (layer instanceof Layer.Neuron) {
                state[i] = new float[plan.bufferFloats(i)];
            }
        }
        earlier = new EarlierSteps[n];
        for (int i = plan.repeat + 1; i < n; i++) {
            if (plan.layers.get(i) instanceof Layer.SignConv c && plan.graph.timeSteps() > 1) {
                int sums = plan.outSizes[i] / c.outChannels() * SignConvEvents.pitch(c.outChannels()) + Buffers.SLACK;
                earlier[i] = new EarlierSteps(plan.inSizes[i], sums);
            }
        }
        scratch = new float[plan.scratchFloats];
        denseOutput = new float[plan.denseFloats + Buffers.SLACK];
        events = new int[plan.maxInput];
        ints = new int[plan.scratchInts];
        sum = new float[plan.graph.numClasses()];
        inputs = new long[n];
        nonZero = new long[n];
        ops = new double[n];
        denseRuns = new long[n];
        eventRuns = new long[n];
        changeRuns = new long[n];
        spikes = new long[n];
        neurons = new long[n];
        nanos = new long[n];
    }

    /** Zeroes the counters (the buffers need no reset: every run overwrites what it reads). */
    void resetCounters() {
        java.util.Arrays.fill(inputs, 0);
        java.util.Arrays.fill(nonZero, 0);
        java.util.Arrays.fill(ops, 0);
        java.util.Arrays.fill(denseRuns, 0);
        java.util.Arrays.fill(eventRuns, 0);
        java.util.Arrays.fill(spikes, 0);
        java.util.Arrays.fill(neurons, 0);
        java.util.Arrays.fill(nanos, 0);
    }

    /** Class scores of image {@code index} of {@code images} into {@code logits}. */
    void run(float[] images, int index, float[] logits) {
        int imageSize = plan.inSizes[0];
        float[] x = new float[imageSize + Buffers.SLACK];
        System.arraycopy(images, index * imageSize, x, 0, imageSize);
        List<Layer> layers = plan.layers;
        int last = layers.size() - 1;
        for (int i = 0; i <= plan.repeat; i++) {
            results[i] = step(i, x);
        }
        for (int i = plan.repeat + 1; i < last; i++) {
            if (state[i] != null) {
                java.util.Arrays.fill(state[i], 0f);
            }
            if (earlier[i] != null) {
                earlier[i].reset();
            }
        }
        java.util.Arrays.fill(sum, 0f);
        int steps = plan.graph.timeSteps();
        for (int t = 0; t < steps; t++) {
            for (int i = plan.repeat + 1; i < last; i++) {
                results[i] = step(i, x);
            }
            float[] y = input(last, x);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += y[j];
            }
        }
        float inv = 1f / steps;
        int classes = sum.length;
        for (int j = 0; j < classes; j++) {
            logits[index * classes + j] = sum[j] * inv;
        }
    }

    /** Layer {@code i} on its input, timed when the run is profiled. */
    private float[] step(int i, float[] image) {
        if (!timed) {
            return apply(i, input(i, image));
        }
        long start = System.nanoTime();
        float[] out = apply(i, input(i, image));
        nanos[i] += System.nanoTime() - start;
        return out;
    }

    /** What layer {@code i} reads (its first input): the image or an earlier layer's result. */
    private float[] input(int i, float[] image) {
        int source = plan.sources[i][0];
        return source < 0 ? image : results[source];
    }

    /** Applies layer {@code i} to {@code x} (one sample); returns its output. */
    private float[] apply(int i, float[] x) {
        Layer layer = plan.layers.get(i);
        int[] in = plan.inShapes[i];
        float[] out = outputs[i];
        switch (layer) {
            case Layer.Normalize n -> {
                System.arraycopy(x, 0, out, 0, plan.outSizes[i]);
                FloatKernels.normalize(n, out, 0, in[1] * in[2]);
            }
            case Layer.Affine a -> {
                System.arraycopy(x, 0, out, 0, plan.outSizes[i]);
                FloatKernels.affine(a, out, 0, plan.inSizes[i] / in[0]);
            }
            case Layer.Conv c -> {
                count(i, x);
                FloatKernels.conv(c, x, 0, in[1], in[2], out, 0, scratch);
            }
            case Layer.Linear l -> {
                count(i, x);
                FloatKernels.linear(l, x, 0, out, 0);
            }
            case Layer.SignConv c -> {
                int nonZeros = count(i, x);
                if (earlier[i] != null) {
                    out = signConvStep(i, c, x, nonZeros, earlier[i]);
                } else {
                    signConvOnce(i, c, x, nonZeros, out);
                }
            }
            case Layer.CodewordConv c -> {
                // Counted as docs/s2nn.md 7: the cheaper of the direct and the codeword-reuse count.
                double before = ops[i];
                count(i, x);
                ops[i] = before + plan.codewordAdds(i, ops[i] - before);
                CodewordConvKernel.dense(c, plan.codewordMaps[i], x, 0, in[1], in[2], out, 0, scratch);
                denseRuns[i]++;
            }
            case Layer.SignLinear l -> {
                int nonZeros = count(i, x);
                if (useEvents(i, nonZeros)) {
                    InputCensus.list(x, plan.inSizes[i], events);
                    SignLinearKernel.events(l, x, 0, events, nonZeros, out, 0, scratch);
                    eventRuns[i]++;
                } else {
                    SignLinearKernel.dense(l, x, 0, out, 0);
                    denseRuns[i]++;
                }
            }
            case Layer.Neuron n -> {
                int pool = plan.pooledBy[i];
                if (plan.pixelPitch[i] > 0) {
                    spikes[i] += NeuronKernel.stepPooledPixels(
                            n,
                            x,
                            0,
                            plan.pixelPitch[i],
                            state[i],
                            in[1],
                            in[2],
                            plan.neuronConstants[i],
                            outputs[pool],
                            0,
                            scratch);
                } else if (plan.neuronConstants[i] != null) {
                    spikes[i] += NeuronKernel.stepChannels(n, x, 0, state[i], plan.neuronConstants[i], out, 0);
                } else if (pool >= 0) {
                    spikes[i] += NeuronKernel.stepPooled(n, x, 0, state[i], in[1], in[2], outputs[pool], 0, scratch);
                } else {
                    spikes[i] += NeuronKernel.step(n, x, 0, state[i], out, 0, plan.inSizes[i] / n.channels());
                }
                neurons[i] += plan.outSizes[i];
            }
            case Layer.MaxPool p -> {
                // Already written by the neuron layer before it when the plan fused the two.
                if (!plan.pooledEarlier[i]) {
                    PoolKernels.max(in[0], in[1], in[2], p.kernel(), p.stride(), x, 0, out, 0);
                }
            }
            case Layer.AvgPool p -> {
                int k = p.isGlobal() ? in[1] : p.kernel();
                int s = p.isGlobal() ? in[1] : p.stride();
                PoolKernels.average(in[0], in[1], in[2], k, s, x, 0, out, 0);
            }
            case Layer.Add a -> {
                float[] other = results[plan.sources[i][1]];
                for (int j = 0; j < plan.outSizes[i]; j++) {
                    out[j] = x[j] + other[j];
                }
            }
            case Layer.Flatten f -> out = x;
            case Layer.Repeat r -> out = x;
            case Layer.MeanOverTime m -> out = x;
        }
        return out;
    }

    /** A sign convolution without earlier steps (before the repeat, or T = 1), into {@code out}. */
    private void signConvOnce(int i, Layer.SignConv c, float[] x, int nonZeros, float[] out) {
        int[] in = plan.inShapes[i];
        if (plan.pixelPitch[i] > 0) {
            // Position-major for the neurons after it: the event path's own layout.
            if (useEvents(i, nonZeros)) {
                SignConvEvents.runPixels(c, plan.signFlips[i], x, 0, in[1], in[2], out, 0, scratch, ints);
                eventRuns[i]++;
            } else {
                SignConvKernel.dense(c, x, 0, in[1], in[2], denseOutput, 0, scratch, plan.rowTableOffsets[i]);
                toPixelMajor(c.outChannels(), plan.outSizes[i] / c.outChannels(), plan.pixelPitch[i], out);
                denseRuns[i]++;
            }
        } else if (useEvents(i, nonZeros)) {
            SignConvEvents.run(c, plan.signFlips[i], x, 0, in[1], in[2], out, 0, scratch, ints);
            eventRuns[i]++;
        } else {
            SignConvKernel.dense(c, x, 0, in[1], in[2], out, 0, scratch, plan.rowTableOffsets[i]);
            denseRuns[i]++;
        }
    }

    /**
     * A sign convolution at one of the T steps: the event path starts from an earlier step's sums
     * when the input changed in fewer places than it is non-zero ({@link EarlierSteps}), and every
     * step's position-major sums are kept for the next steps. Returns the layer's result: those sums
     * when the neurons after it read them position-major, else {@code outputs[i]}.
     */
    private float[] signConvStep(int i, Layer.SignConv c, float[] x, int nonZeros, EarlierSteps steps) {
        int[] in = plan.inShapes[i];
        boolean pixelMajor = plan.pixelPitch[i] > 0;
        if (useEvents(i, nonZeros)) {
            boolean fromEarlier = steps.startFromEarlier(x, nonZeros);
            // After the start: a step started from the oldest step adds to that step's sums in place.
            float[] sums = steps.sums();
            if (fromEarlier) {
                SignConvEvents.addPixels(c, plan.signFlips[i], steps.change(), 0, in[1], in[2], sums, 0, scratch, ints);
                changeRuns[i]++;
            } else {
                SignConvEvents.runPixels(c, plan.signFlips[i], x, 0, in[1], in[2], sums, 0, scratch, ints);
            }
            steps.finish(x, true);
            eventRuns[i]++;
            if (pixelMajor) {
                return sums;
            }
            SignConvEvents.toChannelMajor(c, in[1], in[2], sums, 0, outputs[i], 0);
            return outputs[i];
        }
        denseRuns[i]++;
        float[] sums = steps.sums();
        if (pixelMajor) {
            SignConvKernel.dense(c, x, 0, in[1], in[2], denseOutput, 0, scratch, plan.rowTableOffsets[i]);
            toPixelMajor(c.outChannels(), plan.outSizes[i] / c.outChannels(), plan.pixelPitch[i], sums);
            steps.finish(x, true);
            return sums;
        }
        SignConvKernel.dense(c, x, 0, in[1], in[2], outputs[i], 0, scratch, plan.rowTableOffsets[i]);
        steps.finish(x, false);
        return outputs[i];
    }

    /** {@link #denseOutput} ({@code [channels, plane]}) into {@code out} position-major, padding lanes 0. */
    private void toPixelMajor(int channels, int plane, int pitch, float[] out) {
        java.util.Arrays.fill(out, 0, plane * pitch, 0f);
        for (int c = 0; c < channels; c++) {
            for (int q = 0, src = c * plane, dst = c; q < plane; q++, src++, dst += pitch) {
                out[dst] = denseOutput[src];
            }
        }
    }

    private boolean useEvents(int i, int nonZeros) {
        return switch (path) {
            case DENSE -> false;
            case EVENTS -> true;
            case AUTO -> nonZeros < plan.eventsBelow(i) * plan.inSizes[i];
        };
    }

    /**
     * Counts layer {@code i}'s input for docs/methods.md 4 (the event path lists the non-zero inputs
     * itself, only when it runs). Returns the number of non-zero values.
     */
    private int count(int i, float[] x) {
        int size = plan.inSizes[i];
        int[] fan = plan.fanOut[i];
        int nonZeros = InputCensus.nonZeros(x, size);
        inputs[i] += size;
        nonZero[i] += nonZeros;
        if (plan.analogInput[i]) {
            long all = 0;
            for (int f : fan) {
                all += f;
            }
            ops[i] += all;
        } else {
            ops[i] += InputCensus.fanOfNonZeros(x, size, fan);
        }
        return nonZeros;
    }
}
