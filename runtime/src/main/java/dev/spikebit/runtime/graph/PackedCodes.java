package dev.spikebit.runtime.graph;

/**
 * Fixed-width unsigned codes packed back to back into a bit stream (the sub-bit deployed form,
 * docs/methods.md 3): code {@code i} occupies stream bits {@code i * width .. i * width + width - 1},
 * its least significant bit first; stream bit {@code b} is bit {@code b % 8} (least significant
 * first) of byte {@code b / 8}. The stream takes {@code ceil(count * width / 8)} bytes and its
 * padding bits after the last code are 0. Codes cross byte boundaries freely.
 *
 * <p>A sub-bit layer keeps three such streams: its codebook (width 9: the sign patterns), its
 * kernel indices (width eta) and its channel negations (width 1).
 *
 * @param count the number of codes
 * @param width bits per code, 1..31
 * @param bits  {@link #bytes(long, int)} bytes; not copied
 */
public record PackedCodes(int count, int width, byte[] bits) {
    public PackedCodes {
        if (count < 0 || width < 1 || width > 31) {
            throw new IllegalArgumentException("packed codes: bad size " + count + " codes of " + width + " bits");
        }
        if (bits.length != bytes(count, width)) {
            throw new IllegalArgumentException("packed codes: " + count + " codes of " + width + " bits need "
                    + bytes(count, width) + " bytes, got " + bits.length);
        }
    }

    /** Bytes of {@code count} codes of {@code width} bits. */
    public static long bytes(long count, int width) {
        return (count * width + 7) >>> 3;
    }

    /** Packs {@code values}, each in {@code 0 .. 2^width - 1}. */
    public static PackedCodes pack(int[] values, int width) {
        byte[] bits = new byte[(int) bytes(values.length, width)];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v < 0 || v >>> width != 0) {
                throw new IllegalArgumentException(
                        "packed codes: value " + v + " at " + i + " does not fit " + width + " bits");
            }
            long at = (long) i * width;
            for (int b = 0; b < width; b++, at++) {
                if ((v >>> b & 1) != 0) {
                    bits[(int) (at >>> 3)] |= (byte) (1 << (at & 7));
                }
            }
        }
        return new PackedCodes(values.length, width, bits);
    }

    /** Code {@code i}. */
    public int get(int i) {
        long at = (long) i * width;
        int v = 0;
        for (int b = 0; b < width; b++, at++) {
            v |= (bits[(int) (at >>> 3)] >>> (at & 7) & 1) << b;
        }
        return v;
    }

    /** All codes. */
    public int[] unpack() {
        int[] v = new int[count];
        for (int i = 0; i < count; i++) {
            v[i] = get(i);
        }
        return v;
    }

    /** Whether every padding bit after the last code is 0. */
    public boolean paddingClear() {
        long used = (long) count * width;
        for (long b = used; b < (long) bits.length * 8; b++) {
            if ((bits[(int) (b >>> 3)] >>> (b & 7) & 1) != 0) {
                return false;
            }
        }
        return true;
    }
}
