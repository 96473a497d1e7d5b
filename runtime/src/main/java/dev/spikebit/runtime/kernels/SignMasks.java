package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sign-XOR trick of performance-notes.md: a +-1 weight is applied to a float by XOR-ing the
 * weight's bit into the float's sign bit, so a packed weight byte becomes eight lane masks and the
 * product is one XOR, never a multiply. {@link #TABLE} holds, for each byte value {@code b}, eight
 * ints: lane {@code i} is {@code 0} when bit {@code i} of {@code b} is set (+1, keep the sign) and
 * {@code 0x80000000} when it is clear (-1, flip it). 8 KB, it stays in L1.
 */
final class SignMasks {
    /** Eight lanes: one packed byte per vector. */
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;

    static final int[] TABLE = new int[256 * 8];

    static {
        for (int b = 0; b < 256; b++) {
            for (int i = 0; i < 8; i++) {
                TABLE[b * 8 + i] = (b >>> i & 1) != 0 ? 0 : 0x80000000;
            }
        }
    }

    private SignMasks() {
    }

    /** The scalar form: {@code x} with its sign flipped unless bit {@code bit} of {@code b} is set. */
    static float apply(int b, int bit, float x) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) ^ ((~b >>> bit & 1) << 31));
    }
}
