package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed +-1 weights applied to floats without a multiply (docs/runtime.md): a set bit is +1,
 * a clear bit -1. A vector of inputs takes its signs from as many consecutive bits, turned into a
 * lane mask that picks, lane by lane, the input or its negation; a scalar takes its sign by an XOR
 * into the float's sign bit.
 *
 * <p>Every kernel of the runtime uses the one preferred species. The sign-linear kernels once used
 * 256-bit vectors (one packed byte per vector) beside the others' 512-bit ones: the two shapes
 * shared the profiles of the Vector API's generic methods, and in about one JVM in three C2 then
 * compiled a hot loop of the other kernels without intrinsics, boxing every vector (10x slower, a
 * gigabyte of garbage a second; docs/runtime.md).
 */
final class SignMasks {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Ints of the same shape as {@link #F}: a float's sign is flipped by an XOR of its bits. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** {@code SHIFTS[i] = 31 - i}: moves bit {@code i} of an int to its sign bit. */
    private static final int[] SHIFTS = new int[32];
    /** The sign bit of an int lane. */
    static final int SIGN = 0x80000000;

    static {
        for (int i = 0; i < SHIFTS.length; i++) {
            SHIFTS[i] = 31 - i;
        }
    }

    private SignMasks() {}

    /**
     * Bits {@code first .. first + count - 1} (count <= 57) of the packed bits that start at byte
     * {@code at}, as the low bits of a long; it reads only the bytes that hold them.
     */
    static long bits(byte[] packed, int at, int first, int count) {
        int from = at + (first >>> 3);
        int shift = first & 7;
        int end = shift + count;
        // The kernels' common cases, 8 or 16 lanes from a byte boundary, in one or two reads.
        long word = packed[from] & 0xFF;
        if (end > 8) {
            word |= (packed[from + 1] & 0xFF) << 8;
            for (int i = 2; 8 * i < end; i++) {
                word |= (long) (packed[from + i] & 0xFF) << (8 * i);
            }
        }
        return word >>> shift & (1L << count) - 1;
    }

    /**
     * The left shifts that move the signs of outputs {@code o .. o + F.length() - 1} within their
     * 32-bit half of a column word to the lanes' sign bits ({@link #flips}); {@code o} is a multiple
     * of {@code F.length()}, which divides 32, so a vector's signs never span two halves.
     */
    static IntVector flipShifts(int o) {
        return IntVector.fromArray(I, SHIFTS, o & 31);
    }

    /**
     * XOR masks for outputs {@code o .. o + F.length() - 1} from the column of
     * {@link dev.spikebit.runtime.graph.SignMatrix#columnWords} at word {@code column}: the sign bit
     * set where the weight is -1 (its bit clear). The 32 bits that hold them are broadcast, shifted
     * lane by lane by {@code shifts} ({@link #flipShifts}) and masked to the sign bit: three
     * instructions, no table and no lane mask.
     */
    static IntVector flips(long[] words, int column, int o, IntVector shifts) {
        int half = ~(int) (words[column + (o >>> 6)] >>> (o & 32));
        return IntVector.broadcast(I, half)
                .lanewise(VectorOperators.LSHL, shifts)
                .lanewise(VectorOperators.AND, SIGN);
    }

    /** The scalar form: {@code x} with its sign flipped unless bit {@code bit} of {@code b} is set. */
    static float apply(int b, int bit, float x) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) ^ ((~b >>> bit & 1) << 31));
    }
}
