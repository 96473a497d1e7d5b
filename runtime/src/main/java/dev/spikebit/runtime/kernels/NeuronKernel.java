package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One time step of a layer of LIF neurons in the standard form (docs/methods.md 1-2), per channel
 * {@code c}: {@code h = tau * U + (x + bias[c])} (no bias: {@code tau * U + x}); where
 * {@code h >= threshold[c]} emit 1 (binary) or {@code scale[c] * h} (real; {@code h} without a
 * scale) and reset {@code U} to 0, else emit 0 and keep {@code U = h}. The float operations are
 * those of the reference executor (a multiply, then an add; no fused multiply-add), so the spikes
 * agree exactly given the same input.
 */
public final class NeuronKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private NeuronKernel() {}

    /**
     * Runs one step over {@code channels * plane} neurons: input at {@code xOff}, state {@code u}
     * (from 0), output at {@code outOff}. Returns the number of spikes emitted.
     */
    public static int step(Layer.Neuron n, float[] x, int xOff, float[] u, float[] out, int outOff, int plane) {
        int spikes = 0;
        for (int c = 0; c < n.channels(); c++) {
            int base = c * plane;
            spikes += run(n, c, x, xOff + base, u, base, out, outOff + base, plane);
        }
        return spikes;
    }

    /**
     * {@link #step} for neurons with one value per channel (after a fully connected layer): a vector
     * of channels at a time with the per-channel constants as vectors ({@link #channelConstants} at
     * a pitch of at least {@code channels}), a masked last vector. {@link #step} would run each
     * channel as a plane of one value, a masked vector with its own broadcast constants per neuron:
     * for 128 neurons that cost as much as the fully connected layer's 3136 x 128 additions on its
     * sparse input. The same float operations value by value, so the same spikes and state.
     */
    public static int stepChannels(
            Layer.Neuron n, float[] x, int xOff, float[] u, float[] constants, float[] out, int outOff) {
        int channels = n.channels();
        int pitch = constants.length / 3;
        var tauV = FloatVector.broadcast(F, n.tau());
        var zero = FloatVector.zero(F);
        var one = FloatVector.broadcast(F, 1f);
        boolean hasBias = n.bias() != null;
        boolean scaled = n.scale() != null;
        boolean real = n.realOutput();
        int spikes = 0;
        for (int i = 0; i < channels; i += F.length()) {
            VectorMask<Float> lanes = F.indexInRange(i, channels);
            var thresholdV = FloatVector.fromArray(F, constants, i);
            var biasV = FloatVector.fromArray(F, constants, pitch + i);
            var scaleV = FloatVector.fromArray(F, constants, 2 * pitch + i);
            var xv = FloatVector.fromArray(F, x, xOff + i, lanes);
            var input = hasBias ? xv.add(biasV) : xv;
            var h = tauV.mul(FloatVector.fromArray(F, u, i, lanes)).add(input);
            VectorMask<Float> fire = h.compare(VectorOperators.GE, thresholdV).and(lanes);
            var emitted = real ? (scaled ? scaleV.mul(h) : h) : one;
            zero.blend(emitted, fire).intoArray(out, outOff + i, lanes);
            h.blend(zero, fire).intoArray(u, i, lanes);
            spikes += fire.trueCount();
        }
        return spikes;
    }

    /** Floats of scratch {@link #stepPooled} needs for planes {@code h x w}. */
    public static int pooledScratch(int h, int w) {
        return h * w + Buffers.SLACK;
    }

    /**
     * One step of the neurons {@code [channels, h, w]} followed by the 2x2, stride 2 max pooling of
     * what they emit, in one pass: each channel's plane is stepped into {@code plane} (scratch of
     * one plane, which stays in the L1 cache: 3 KB for 28 x 28) and pooled from there into
     * {@code out} ({@code [channels, h / 2, w / 2]} at {@code outOff}, with {@link Buffers#SLACK}
     * floats after it); an odd last row or column is stepped and dropped, as the pooling drops it.
     * The neurons' full output is never written out and read back: the same values and state as
     * {@link #step} followed by {@link PoolKernels#max}. Returns the number of spikes emitted.
     *
     * @param plane at least {@link #pooledScratch} floats
     */
    public static int stepPooled(
            Layer.Neuron n, float[] x, int xOff, float[] u, int h, int w, float[] out, int outOff, float[] plane) {
        int size = h * w;
        int oh = h / 2;
        int ow = w / 2;
        int spikes = 0;
        for (int c = 0; c < n.channels(); c++) {
            int base = c * size;
            // The whole plane in one run (one masked tail per channel, not one per pair of rows).
            spikes += run(n, c, x, xOff + base, u, base, plane, 0, size);
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                PoolKernels.rowPair(ow, plane, 2 * oy * w, (2 * oy + 1) * w, out, dst + oy * ow);
            }
        }
        return spikes;
    }

    /**
     * The neurons' per-channel constants for {@link #stepPooledPixels}, each padded to {@code pitch}
     * lanes: thresholds (padding {@code +infinity}, so that a padding lane never fires), biases
     * (padding 0), scales (padding 1), one after the other. Made once per layer.
     */
    public static float[] channelConstants(Layer.Neuron n, int pitch) {
        float[] constants = new float[3 * pitch];
        java.util.Arrays.fill(constants, 0, pitch, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(constants, 2 * pitch, 3 * pitch, 1f);
        for (int c = 0; c < n.channels(); c++) {
            constants[c] = n.threshold()[c];
            constants[pitch + c] = n.bias() == null ? 0f : n.bias()[c];
            constants[2 * pitch + c] = n.scale() == null ? 1f : n.scale()[c];
        }
        return constants;
    }

    /** Floats of scratch {@link #stepPooledPixels} needs for planes {@code h x w} of {@code pitch} lanes. */
    public static int pooledPixelsScratch(int h, int w, int pitch) {
        return (2 * w + 1) * pitch;
    }

    /**
     * {@link #stepPooled} on input and state kept position-major, as a convolution's event kernel
     * leaves its sums ({@link SignConvEvents#runPixels}): pixel {@code q}'s {@code channels} values
     * at {@code x[xOff + q * pitch ..]}, then padding lanes up to {@code pitch} (a multiple of the
     * vector length), whose neurons never fire ({@link #channelConstants}). Each vector holds one
     * pixel's consecutive channels, so the per-channel constants are vectors and no plane has a
     * tail. Two input rows at a time are stepped into {@code rows} (L1-resident) and pooled, and
     * each pooled pixel's channels are written to their planes of {@code out} ({@code [channels, h
     * / 2, w / 2]} at {@code outOff}); an odd last row or column is stepped and dropped. The float
     * operations are those of {@link #stepPooled} value by value, so the output, the state and the
     * count are the same. Returns the number of spikes emitted.
     *
     * @param u         state, {@code h * w * pitch} floats, position-major like {@code x}
     * @param constants {@link #channelConstants} of this layer at this pitch
     * @param rows      at least {@link #pooledPixelsScratch} floats
     */
    public static int stepPooledPixels(
            Layer.Neuron n,
            float[] x,
            int xOff,
            int pitch,
            float[] u,
            int h,
            int w,
            float[] constants,
            float[] out,
            int outOff,
            float[] rows) {
        int oh = h / 2;
        int ow = w / 2;
        int pooledPlane = oh * ow;
        int row = w * pitch;
        int pooled = 2 * row;
        int spikes = 0;
        for (int oy = 0; oy < oh; oy++) {
            spikes += stepPixels(n, x, xOff + 2 * oy * row, u, 2 * oy * row, 2 * w, pitch, constants, rows);
            for (int ox = 0; ox < ow; ox++) {
                int a = 2 * ox * pitch;
                for (int o = 0; o < pitch; o += F.length()) {
                    // The order of PoolKernels.rowPair: the two rows lane by lane, then the two columns.
                    var left = FloatVector.fromArray(F, rows, a + o)
                            .lanewise(VectorOperators.MAX, FloatVector.fromArray(F, rows, a + row + o));
                    var right = FloatVector.fromArray(F, rows, a + pitch + o)
                            .lanewise(VectorOperators.MAX, FloatVector.fromArray(F, rows, a + row + pitch + o));
                    left.lanewise(VectorOperators.MAX, right).intoArray(rows, pooled + o);
                }
                for (int c = 0, dst = outOff + oy * ow + ox; c < n.channels(); c++, dst += pooledPlane) {
                    out[dst] = rows[pooled + c];
                }
            }
        }
        if (h % 2 == 1) {
            spikes += stepPixels(n, x, xOff + (h - 1) * row, u, (h - 1) * row, w, pitch, constants, rows);
        }
        return spikes;
    }

    /** One step of {@code pixels} consecutive pixels of {@code pitch} lanes into {@code out[0 ..]}. */
    private static int stepPixels(
            Layer.Neuron n,
            float[] x,
            int xOff,
            float[] u,
            int uOff,
            int pixels,
            int pitch,
            float[] constants,
            float[] out) {
        var tauV = FloatVector.broadcast(F, n.tau());
        var zero = FloatVector.zero(F);
        var one = FloatVector.broadcast(F, 1f);
        boolean hasBias = n.bias() != null;
        boolean scaled = n.scale() != null;
        boolean real = n.realOutput();
        int spikes = 0;
        for (int o = 0; o < pitch; o += F.length()) {
            var thresholdV = FloatVector.fromArray(F, constants, o);
            var biasV = FloatVector.fromArray(F, constants, pitch + o);
            var scaleV = FloatVector.fromArray(F, constants, 2 * pitch + o);
            for (int q = 0, at = o; q < pixels; q++, at += pitch) {
                var xv = FloatVector.fromArray(F, x, xOff + at);
                var input = hasBias ? xv.add(biasV) : xv;
                var h = tauV.mul(FloatVector.fromArray(F, u, uOff + at)).add(input);
                VectorMask<Float> fire = h.compare(VectorOperators.GE, thresholdV);
                var emitted = real ? (scaled ? scaleV.mul(h) : h) : one;
                zero.blend(emitted, fire).intoArray(out, at);
                h.blend(zero, fire).intoArray(u, uOff + at);
                spikes += fire.trueCount();
            }
        }
        return spikes;
    }

    /**
     * One step of {@code length} neurons of channel {@code c}: input at {@code xOff}, state at
     * {@code uOff}, output at {@code outOff}. Returns the number of spikes emitted.
     */
    private static int run(
            Layer.Neuron n, int c, float[] x, int xOff, float[] u, int uOff, float[] out, int outOff, int length) {
        var tauV = FloatVector.broadcast(F, n.tau());
        var zero = FloatVector.zero(F);
        var one = FloatVector.broadcast(F, 1f);
        boolean hasBias = n.bias() != null;
        boolean scaled = n.scale() != null;
        var thresholdV = FloatVector.broadcast(F, n.threshold()[c]);
        var biasV = FloatVector.broadcast(F, hasBias ? n.bias()[c] : 0f);
        var scaleV = FloatVector.broadcast(F, scaled ? n.scale()[c] : 1f);
        int upper = F.loopBound(length);
        int spikes = 0;
        int i = 0;
        for (; i < upper; i += F.length()) {
            var xv = FloatVector.fromArray(F, x, xOff + i);
            var input = hasBias ? xv.add(biasV) : xv;
            var h = tauV.mul(FloatVector.fromArray(F, u, uOff + i)).add(input);
            VectorMask<Float> fire = h.compare(VectorOperators.GE, thresholdV);
            var emitted = n.realOutput() ? (scaled ? scaleV.mul(h) : h) : one;
            zero.blend(emitted, fire).intoArray(out, outOff + i);
            h.blend(zero, fire).intoArray(u, uOff + i);
            spikes += fire.trueCount();
        }
        if (i < length) {
            // The last partial vector, masked (a 14 x 14 plane leaves 4 of 16 lanes): a scalar
            // tail would branch on every spike.
            VectorMask<Float> lanes = F.indexInRange(i, length);
            var xv = FloatVector.fromArray(F, x, xOff + i, lanes);
            var input = hasBias ? xv.add(biasV) : xv;
            var h = tauV.mul(FloatVector.fromArray(F, u, uOff + i, lanes)).add(input);
            VectorMask<Float> fire = h.compare(VectorOperators.GE, thresholdV).and(lanes);
            var emitted = n.realOutput() ? (scaled ? scaleV.mul(h) : h) : one;
            zero.blend(emitted, fire).intoArray(out, outOff + i, lanes);
            h.blend(zero, fire).intoArray(u, uOff + i, lanes);
            spikes += fire.trueCount();
        }
        return spikes;
    }
}
