package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
     * Event-driven path over the {@code count} non-zero inputs listed in {@code events}: blocks of
     * four vectors of outputs held in registers while every event is added, signed (the sign bit
     * flipped by an XOR where the weight is -1), then stored once.
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
        int n = F.length();
        long[] words = l.signs().columnWords();
        int perColumn = l.signs().wordsPerColumn();
        int o = 0;
        // Eight vectors span at most two longs of a column up to 16 lanes.
        for (; n <= 16 && o + 8 * n <= pitch; o += 8 * n) {
            block8(x, xOff, events, count, words, perColumn, o, scratch);
        }
        int whole = pitch - pitch % (4 * n);
        for (; o < whole; o += 4 * n) {
            block4(x, xOff, events, count, words, perColumn, o, scratch);
        }
        for (; o < pitch; o += n) {
            block1(x, xOff, events, count, words, perColumn, o, scratch);
        }
        System.arraycopy(scratch, 0, out, outOff, outF);
    }

    /**
     * Outputs {@code o .. o + 8 F.length() - 1} ({@code o} a multiple of {@code 8 F.length()}, at most
     * 16 lanes),
     * summed over the events in eight vector registers: one pass over the events for 128 outputs
     * with 16 lanes (64 with 8), where blocks of four took two, each reading every event's index,
     * value and sign word again. The block's signs lie in one long of each column, or two with 16
     * lanes; each 32-bit half is broadcast once and serves the vectors whose lanes it holds.
     */
    private static void block8(
            float[] x, int xOff, int[] events, int count, long[] words, int perColumn, int o, float[] scratch) {
        int n = F.length();
        var s0 = SignMasks.flipShifts(o);
        var s1 = SignMasks.flipShifts(o + n);
        var s2 = SignMasks.flipShifts(o + 2 * n);
        var s3 = SignMasks.flipShifts(o + 3 * n);
        var s4 = SignMasks.flipShifts(o + 4 * n);
        var s5 = SignMasks.flipShifts(o + 5 * n);
        var s6 = SignMasks.flipShifts(o + 6 * n);
        var s7 = SignMasks.flipShifts(o + 7 * n);
        var a0 = FloatVector.zero(F);
        var a1 = FloatVector.zero(F);
        var a2 = FloatVector.zero(F);
        var a3 = FloatVector.zero(F);
        var a4 = FloatVector.zero(F);
        var a5 = FloatVector.zero(F);
        var a6 = FloatVector.zero(F);
        var a7 = FloatVector.zero(F);
        int word = o >>> 6;
        // The block spans a second long only when it is wider than 64 outputs (16 lanes).
        boolean wide = 8 * n > 64;
        var sign = IntVector.broadcast(SignMasks.I, SignMasks.SIGN);
        for (int e = 0; e < count; e++) {
            int j = events[e];
            var v = IntVector.broadcast(SignMasks.I, Float.floatToRawIntBits(x[xOff + j]));
            long first = ~words[j * perColumn + word];
            long second = wide ? ~words[j * perColumn + word + 1] : first;
            // Half k holds outputs o + 32 k ..; vector i's lanes lie in half (i n) / 32.
            var q0 = IntVector.broadcast(SignMasks.I, (int) (first >>> (o & 32)));
            var q1 = n >= 8 ? IntVector.broadcast(SignMasks.I, (int) (first >>> 32)) : q0;
            var q2 = wide ? IntVector.broadcast(SignMasks.I, (int) second) : q1;
            var q3 = wide ? IntVector.broadcast(SignMasks.I, (int) (second >>> 32)) : q1;
            var m1 = n >= 32 ? q1 : q0;
            var m2 = n >= 16 ? q1 : q0;
            var m3 = n >= 16 ? q1 : q0;
            var m4 = n >= 16 ? q2 : (n >= 8 ? q1 : q0);
            var m5 = n >= 16 ? q2 : (n >= 8 ? q1 : q0);
            var m6 = n >= 16 ? q3 : (n >= 8 ? q1 : q0);
            var m7 = n >= 16 ? q3 : (n >= 8 ? q1 : q0);
            a0 = a0.add(v.lanewise(
                            VectorOperators.XOR,
                            q0.lanewise(VectorOperators.LSHL, s0).and(sign))
                    .reinterpretAsFloats());
            a1 = a1.add(v.lanewise(
                            VectorOperators.XOR,
                            m1.lanewise(VectorOperators.LSHL, s1).and(sign))
                    .reinterpretAsFloats());
            a2 = a2.add(v.lanewise(
                            VectorOperators.XOR,
                            m2.lanewise(VectorOperators.LSHL, s2).and(sign))
                    .reinterpretAsFloats());
            a3 = a3.add(v.lanewise(
                            VectorOperators.XOR,
                            m3.lanewise(VectorOperators.LSHL, s3).and(sign))
                    .reinterpretAsFloats());
            a4 = a4.add(v.lanewise(
                            VectorOperators.XOR,
                            m4.lanewise(VectorOperators.LSHL, s4).and(sign))
                    .reinterpretAsFloats());
            a5 = a5.add(v.lanewise(
                            VectorOperators.XOR,
                            m5.lanewise(VectorOperators.LSHL, s5).and(sign))
                    .reinterpretAsFloats());
            a6 = a6.add(v.lanewise(
                            VectorOperators.XOR,
                            m6.lanewise(VectorOperators.LSHL, s6).and(sign))
                    .reinterpretAsFloats());
            a7 = a7.add(v.lanewise(
                            VectorOperators.XOR,
                            m7.lanewise(VectorOperators.LSHL, s7).and(sign))
                    .reinterpretAsFloats());
        }
        a0.intoArray(scratch, o);
        a1.intoArray(scratch, o + n);
        a2.intoArray(scratch, o + 2 * n);
        a3.intoArray(scratch, o + 3 * n);
        a4.intoArray(scratch, o + 4 * n);
        a5.intoArray(scratch, o + 5 * n);
        a6.intoArray(scratch, o + 6 * n);
        a7.intoArray(scratch, o + 7 * n);
    }

    /**
     * Outputs {@code o .. o + 4 F.length() - 1}, summed over the events in four vector registers. A
     * method of its own that takes and returns no vectors, so that the JIT compiles it whole.
     */
    private static void block4(
            float[] x, int xOff, int[] events, int count, long[] words, int perColumn, int o, float[] scratch) {
        int n = F.length();
        var s0 = SignMasks.flipShifts(o);
        var s1 = SignMasks.flipShifts(o + n);
        var s2 = SignMasks.flipShifts(o + 2 * n);
        var s3 = SignMasks.flipShifts(o + 3 * n);
        var a0 = FloatVector.zero(F);
        var a1 = FloatVector.zero(F);
        var a2 = FloatVector.zero(F);
        var a3 = FloatVector.zero(F);
        // The block's 4n outputs (aligned to 4n, at most 64) lie in one long of each column; the
        // shift that takes each vector's 32-bit half of it is fixed for the block.
        int word = o >>> 6;
        int h0 = o & 32;
        int h1 = (o + n) & 32;
        int h2 = (o + 2 * n) & 32;
        int h3 = (o + 3 * n) & 32;
        var sign = IntVector.broadcast(SignMasks.I, SignMasks.SIGN);
        for (int e = 0; e < count; e++) {
            int j = events[e];
            var v = IntVector.broadcast(SignMasks.I, Float.floatToRawIntBits(x[xOff + j]));
            long bits = ~words[j * perColumn + word];
            // One broadcast per half: with 8 lanes the four vectors share one (h0 == h3).
            var lo = IntVector.broadcast(SignMasks.I, (int) (bits >>> h0));
            var hi = h3 == h0 ? lo : IntVector.broadcast(SignMasks.I, (int) (bits >>> h3));
            var m1 = h1 == h0 ? lo : hi;
            var m2 = h2 == h0 ? lo : hi;
            a0 = a0.add(v.lanewise(
                            VectorOperators.XOR,
                            lo.lanewise(VectorOperators.LSHL, s0).and(sign))
                    .reinterpretAsFloats());
            a1 = a1.add(v.lanewise(
                            VectorOperators.XOR,
                            m1.lanewise(VectorOperators.LSHL, s1).and(sign))
                    .reinterpretAsFloats());
            a2 = a2.add(v.lanewise(
                            VectorOperators.XOR,
                            m2.lanewise(VectorOperators.LSHL, s2).and(sign))
                    .reinterpretAsFloats());
            a3 = a3.add(v.lanewise(
                            VectorOperators.XOR,
                            hi.lanewise(VectorOperators.LSHL, s3).and(sign))
                    .reinterpretAsFloats());
        }
        a0.intoArray(scratch, o);
        a1.intoArray(scratch, o + n);
        a2.intoArray(scratch, o + 2 * n);
        a3.intoArray(scratch, o + 3 * n);
    }

    /** {@link #block4} for one vector of outputs (those after the last whole block). */
    private static void block1(
            float[] x, int xOff, int[] events, int count, long[] words, int perColumn, int o, float[] scratch) {
        var s0 = SignMasks.flipShifts(o);
        var a0 = FloatVector.zero(F);
        for (int e = 0; e < count; e++) {
            int j = events[e];
            var v = IntVector.broadcast(SignMasks.I, Float.floatToRawIntBits(x[xOff + j]));
            a0 = a0.add(v.lanewise(VectorOperators.XOR, SignMasks.flips(words, j * perColumn, o, s0))
                    .reinterpretAsFloats());
        }
        a0.intoArray(scratch, o);
    }
}
