package dev.spikebit.quant.subbit;

/**
 * The sign pattern of a 3x3 kernel as a number in 0..511 (docs/methods.md 3): bit {@code k} is 1 where
 * the kernel's sign is +1 at tap {@code k}, taps in row-major order ({@code k = 3 * row + col}),
 * with {@code sign(0) = +1} as for binary weights. So pattern 0 is all -1, pattern 511 all +1, and
 * pattern 1 is +1 only at the top-left tap.
 */
public final class SignPattern {
    /** Taps of a 3x3 kernel. */
    public static final int TAPS = 9;
    /** Number of distinct 3x3 sign patterns, {@code 2^9}. */
    public static final int COUNT = 1 << TAPS;

    private SignPattern() {}

    /** The pattern id of the 9 values {@code w[offset .. offset + 8]}. */
    public static int of(float[] w, int offset) {
        int id = 0;
        for (int k = 0; k < TAPS; k++) {
            if (w[offset + k] >= 0f) {
                id |= 1 << k;
            }
        }
        return id;
    }

    /** The +-1 value of tap {@code k} of pattern {@code id}. */
    public static float sign(int id, int k) {
        return (id >>> k & 1) != 0 ? 1f : -1f;
    }

    /** The pattern as 9 floats +-1, row-major. */
    public static float[] values(int id) {
        float[] v = new float[TAPS];
        for (int k = 0; k < TAPS; k++) {
            v[k] = sign(id, k);
        }
        return v;
    }

    /** The pattern drawn as three rows of {@code +} and {@code -}, e.g. {@code "+-+/---/+++"}. */
    public static String draw(int id) {
        var s = new StringBuilder(11);
        for (int k = 0; k < TAPS; k++) {
            if (k > 0 && k % 3 == 0) {
                s.append('/');
            }
            s.append((id >>> k & 1) != 0 ? '+' : '-');
        }
        return s.toString();
    }
}
