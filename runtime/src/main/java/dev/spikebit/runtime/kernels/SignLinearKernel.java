package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code b = sign(W) x} for a +-1 fully connected layer on one sample (docs/methods.md 2), additions
 * and subtractions only, reading the packed bits directly ({@link SignMasks}).
 *
 * <ul>
 *   <li>{@link #dense}: per output, one vector of inputs at a time, each lane negated unless its
 *       weight bit is set, added into four accumulators; a scalar tail takes the inputs after the
 *       last whole vector.</li>
 *   <li>{@link #events}: per non-zero input, its value signed by the input's column of bits is
 *       added to all outputs at once.</li>
 * </ul>
 */
public final class SignLinearKernel {
    private static final VectorSpecies<Float> F = SignMasks.F;

    private SignLinearKernel() {}

    /** Floats of scratch {@link #events} needs. */
    public static int eventScratch(Layer.SignLinear l) {
        return SignConvKernel.paddedChannels(l.outFeatures());
    }

    /** Dense path: {@code out[o] = sum_j +-x[j]}. */
    public static void dense(Layer.SignLinear l, float[] x, int xOff, float[] out, int outOff) {
        int in = l.inFeatures();
        byte[] bits = l.signs().rowBits();
        int rowBytes = l.signs().rowBytes();
        for (int o = 0; o < l.outFeatures(); o++) {
            out[outOff + o] = signedSum(bits, o * rowBytes, x, xOff, in);
        }
    }

    /**
     * {@code sum_j +-x[j]} over {@code in} inputs, the signs the bits of the packed row at byte
     * {@code row}. A method of its own, called once per output, so that the JIT compiles it whole
     * rather than on stack inside the loop over outputs (docs/runtime.md).
     */
    private static float signedSum(byte[] bits, int row, float[] x, int xOff, int in) {
        int n = F.length();
        int whole = in - in % n;
        int unrolled = in - in % (4 * n);
        var a0 = FloatVector.zero(F);
        var a1 = FloatVector.zero(F);
        var a2 = FloatVector.zero(F);
        var a3 = FloatVector.zero(F);
        int j = 0;
        for (; j < unrolled; j += 4 * n) {
            var v0 = FloatVector.fromArray(F, x, xOff + j);
            var v1 = FloatVector.fromArray(F, x, xOff + j + n);
            var v2 = FloatVector.fromArray(F, x, xOff + j + 2 * n);
            var v3 = FloatVector.fromArray(F, x, xOff + j + 3 * n);
            a0 = a0.add(v0.neg().blend(v0, VectorMask.fromLong(F, SignMasks.bits(bits, row, j, n))));
            a1 = a1.add(v1.neg().blend(v1, VectorMask.fromLong(F, SignMasks.bits(bits, row, j + n, n))));
            a2 = a2.add(v2.neg().blend(v2, VectorMask.fromLong(F, SignMasks.bits(bits, row, j + 2 * n, n))));
            a3 = a3.add(v3.neg().blend(v3, VectorMask.fromLong(F, SignMasks.bits(bits, row, j + 3 * n, n))));
        }
        for (; j < whole; j += n) {
            var v = FloatVector.fromArray(F, x, xOff + j);
            a0 = a0.add(v.neg().blend(v, VectorMask.fromLong(F, SignMasks.bits(bits, row, j, n))));
        }
        float sum = Lanes.sum(a0.add(a1).add(a2.add(a3)));
        for (; j < in; j++) {
            sum += SignMasks.apply(bits[row + (j >>> 3)], j & 7, x[xOff + j]);
        }
        return sum;
    }

    /**
     * Event-driven path over the {@code count} non-zero inputs listed in {@code events}.
     *
     * @param scratch at least {@link #eventScratch} floats
     */
    public static void events(
            Layer.SignLinear l,
            float[] x,
            int xOff,
            int[] events,
            int count,
            float[] out,
            int outOff,
            float[] scratch) {
        int outF = l.outFeatures();
        int pitch = SignConvKernel.paddedChannels(outF);
        java.util.Arrays.fill(scratch, 0, pitch, 0f);
        for (int e = 0; e < count; e++) {
            int j = events[e];
            SignConvKernel.addSigned(x[xOff + j], l.signs(), j, outF, scratch, 0);
        }
        System.arraycopy(scratch, 0, out, outOff, outF);
    }
}
