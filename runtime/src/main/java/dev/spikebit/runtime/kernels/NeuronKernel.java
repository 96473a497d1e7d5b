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
        float tau = n.tau();
        var tauV = FloatVector.broadcast(F, tau);
        var zero = FloatVector.zero(F);
        var one = FloatVector.broadcast(F, 1f);
        int upper = F.loopBound(plane);
        int spikes = 0;
        for (int c = 0; c < n.channels(); c++) {
            float threshold = n.threshold()[c];
            boolean hasBias = n.bias() != null;
            float bias = hasBias ? n.bias()[c] : 0f;
            boolean scaled = n.scale() != null;
            float scale = scaled ? n.scale()[c] : 1f;
            var thresholdV = FloatVector.broadcast(F, threshold);
            var biasV = FloatVector.broadcast(F, bias);
            var scaleV = FloatVector.broadcast(F, scale);
            int base = c * plane;
            int i = 0;
            for (; i < upper; i += F.length()) {
                var xv = FloatVector.fromArray(F, x, xOff + base + i);
                var input = hasBias ? xv.add(biasV) : xv;
                var h = tauV.mul(FloatVector.fromArray(F, u, base + i)).add(input);
                VectorMask<Float> fire = h.compare(VectorOperators.GE, thresholdV);
                var emitted = n.realOutput() ? (scaled ? scaleV.mul(h) : h) : one;
                zero.blend(emitted, fire).intoArray(out, outOff + base + i);
                h.blend(zero, fire).intoArray(u, base + i);
                spikes += fire.trueCount();
            }
            if (i < plane) {
                // The last partial vector, masked (a 14 x 14 plane leaves 4 of 16 lanes): a scalar
                // tail would branch on every spike.
                VectorMask<Float> lanes = F.indexInRange(i, plane);
                var xv = FloatVector.fromArray(F, x, xOff + base + i, lanes);
                var input = hasBias ? xv.add(biasV) : xv;
                var h = tauV.mul(FloatVector.fromArray(F, u, base + i, lanes)).add(input);
                VectorMask<Float> fire =
                        h.compare(VectorOperators.GE, thresholdV).and(lanes);
                var emitted = n.realOutput() ? (scaled ? scaleV.mul(h) : h) : one;
                zero.blend(emitted, fire).intoArray(out, outOff + base + i, lanes);
                h.blend(zero, fire).intoArray(u, base + i, lanes);
                spikes += fire.trueCount();
            }
        }
        return spikes;
    }
}
