package dev.spikebit.quant.subbit;

import dev.spikebit.core.kernels.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The nearest codeword of every kernel (docs/methods.md 3):
 * {@code k* = argmin_k ||k - w||^2 = argmax_k <k, w>} over a {@link Codebook}, ties to the lower
 * index. It runs at every training step, so the inner products of one kernel with all codewords
 * are computed as nine broadcast-multiply-adds over vectors of codewords (the codebook held
 * tap-major), kernels split over the shared thread pool. The scalar path ({@link #selectScalar})
 * computes every score with the same operations in the same order, so both give the same
 * indices.
 */
public final class CodewordSelection {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int TAPS = SignPattern.TAPS;

    private CodewordSelection() {}

    /** The codeword index of each kernel of {@code weight} (flat, nine values per kernel). */
    public static int[] select(float[] weight, Codebook codebook) {
        int kernels = checkedKernels(weight);
        int size = codebook.size();
        float[] tapMajor = codebook.tapMajor();
        int[] index = new int[kernels];
        if (size < SPECIES.length()) {
            selectRange(weight, tapMajor, size, index, 0, kernels, new float[size]);
            return index;
        }
        Parallel.range(
                kernels,
                512,
                (from, to) -> selectVectorRange(weight, tapMajor, size, index, from, to, new float[size]));
        return index;
    }

    /** The same as {@link #select}, in plain scalar loops: the reference the tests compare against. */
    public static int[] selectScalar(float[] weight, Codebook codebook) {
        int kernels = checkedKernels(weight);
        int[] index = new int[kernels];
        selectRange(weight, codebook.tapMajor(), codebook.size(), index, 0, kernels, new float[codebook.size()]);
        return index;
    }

    private static int checkedKernels(float[] weight) {
        if (weight.length % TAPS != 0) {
            throw new IllegalArgumentException("a 3x3 weight has a multiple of 9 values, got " + weight.length);
        }
        return weight.length / TAPS;
    }

    private static void selectVectorRange(
            float[] w, float[] tapMajor, int size, int[] index, int from, int to, float[] scores) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(size);
        for (int i = from; i < to; i++) {
            int at = i * TAPS;
            int j = 0;
            for (; j < bound; j += step) {
                var acc = FloatVector.zero(SPECIES);
                for (int k = 0; k < TAPS; k++) {
                    acc = acc.add(FloatVector.fromArray(SPECIES, tapMajor, k * size + j)
                            .mul(w[at + k]));
                }
                acc.intoArray(scores, j);
            }
            for (; j < size; j++) { // scalar tail (never taken for a power of two >= the vector length)
                scores[j] = score(w, at, tapMajor, size, j);
            }
            index[i] = argmax(scores, size);
        }
    }

    private static void selectRange(
            float[] w, float[] tapMajor, int size, int[] index, int from, int to, float[] scores) {
        for (int i = from; i < to; i++) {
            for (int j = 0; j < size; j++) {
                scores[j] = score(w, i * TAPS, tapMajor, size, j);
            }
            index[i] = argmax(scores, size);
        }
    }

    private static float score(float[] w, int at, float[] tapMajor, int size, int j) {
        float s = 0f;
        for (int k = 0; k < TAPS; k++) {
            s = s + tapMajor[k * size + j] * w[at + k];
        }
        return s;
    }

    /** The first index of the largest score (a NaN score is never chosen unless all are NaN). */
    private static int argmax(float[] scores, int size) {
        int best = 0;
        float bestScore = scores[0];
        for (int j = 1; j < size; j++) {
            if (scores[j] > bestScore || (Float.isNaN(bestScore) && !Float.isNaN(scores[j]))) {
                best = j;
                bestScore = scores[j];
            }
        }
        return best;
    }
}
