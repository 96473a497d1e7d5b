package dev.spikebit.quant.subbit;

import java.util.Arrays;

/**
 * A layer's codebook of S2NN (docs/methods.md 3): {@code 2^eta} distinct 3x3 sign patterns
 * ({@link SignPattern} ids), in rank order (the most frequent first, when taken from
 * {@link KernelStatistics}). A kernel stores the eta-bit index of its codeword, so the layer
 * costs {@code eta/9} bit per weight plus the codebook itself.
 *
 * @param patterns the pattern ids, {@code 2^eta} of them, distinct, each in 0..511
 */
public record Codebook(int[] patterns) {
    public Codebook {
        int size = patterns.length;
        if (size < 2 || Integer.bitCount(size) != 1 || size > 256) {
            throw new IllegalArgumentException("a codebook holds 2^eta patterns with eta in 1..8, got " + size);
        }
        boolean[] seen = new boolean[SignPattern.COUNT];
        for (int p : patterns) {
            if (p < 0 || p >= SignPattern.COUNT) {
                throw new IllegalArgumentException("pattern id " + p + " is outside 0..511");
            }
            if (seen[p]) {
                throw new IllegalArgumentException("pattern " + p + " appears twice in the codebook");
            }
            seen[p] = true;
        }
    }

    /** Fails unless {@code 1 <= eta <= 8}. */
    static void checkEta(int eta) {
        if (eta < 1 || eta > 8) {
            throw new IllegalArgumentException("eta must be in 1..8, got " + eta);
        }
    }

    /** Index bits per kernel. */
    public int eta() {
        return Integer.numberOfTrailingZeros(patterns.length);
    }

    public int size() {
        return patterns.length;
    }

    public int pattern(int index) {
        return patterns[index];
    }

    /**
     * The codewords as a tap-major matrix {@code [9][size]} of +-1, flattened: entry
     * {@code k * size + j} is tap {@code k} of codeword {@code j}. The layout the selection kernel
     * reads (one vector of codewords per tap).
     */
    public float[] tapMajor() {
        int size = size();
        float[] m = new float[SignPattern.TAPS * size];
        for (int j = 0; j < size; j++) {
            for (int k = 0; k < SignPattern.TAPS; k++) {
                m[k * size + j] = SignPattern.sign(patterns[j], k);
            }
        }
        return m;
    }

    /** The codebook as floats (pattern ids), the form a model keeps it in as a buffer. */
    public float[] asFloats() {
        float[] f = new float[patterns.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = patterns[i];
        }
        return f;
    }

    /** The codebook a buffer of pattern ids holds. */
    public static Codebook fromFloats(float[] ids) {
        int[] p = new int[ids.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (int) ids[i];
            if (p[i] != ids[i]) {
                throw new IllegalArgumentException("codebook entry " + i + " is not a pattern id: " + ids[i]);
            }
        }
        return new Codebook(p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Codebook c && Arrays.equals(patterns, c.patterns);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(patterns);
    }

    @Override
    public String toString() {
        return "Codebook(eta=" + eta() + ", " + Arrays.toString(patterns) + ")";
    }
}
