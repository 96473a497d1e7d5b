package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;
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

    /** The scalar form: {@code x} with its sign flipped unless bit {@code bit} of {@code b} is set. */
    static float apply(int b, int bit, float x) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) ^ ((~b >>> bit & 1) << 31));
    }
}
