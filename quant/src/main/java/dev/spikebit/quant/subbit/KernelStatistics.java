package dev.spikebit.quant.subbit;

import java.util.Arrays;

/**
 * How often each of the 512 sign patterns occurs among a layer's 3x3 kernels (docs/methods.md 3, the
 * statistics behind S2NN's codebooks): one kernel is one (output, input) channel pair of a weight
 * {@code [out, in, 3, 3]}.
 *
 * @param counts occurrences per pattern id ({@link SignPattern}), length 512
 */
public record KernelStatistics(long[] counts) {
    public KernelStatistics {
        if (counts.length != SignPattern.COUNT) {
            throw new IllegalArgumentException("kernel statistics need 512 counts, got " + counts.length);
        }
    }

    /** Counts the sign patterns of a weight {@code [out, in, 3, 3]}, given flat (length a multiple of 9). */
    public static KernelStatistics of(float[] weight) {
        if (weight.length % SignPattern.TAPS != 0) {
            throw new IllegalArgumentException("a 3x3 weight has a multiple of 9 values, got " + weight.length);
        }
        long[] counts = new long[SignPattern.COUNT];
        for (int at = 0; at < weight.length; at += SignPattern.TAPS) {
            counts[SignPattern.of(weight, at)]++;
        }
        return new KernelStatistics(counts);
    }

    /** The number of kernels counted. */
    public long kernels() {
        return Arrays.stream(counts).sum();
    }

    /**
     * Pattern ids from most to least frequent; ties go to the lower id, so the order (and every
     * codebook taken from it) is fully determined.
     */
    public int[] ranking() {
        Integer[] ids = new Integer[SignPattern.COUNT];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Arrays.sort(ids, (a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
        return Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }

    /** Share of the kernels whose pattern is among the {@code top} most frequent (0 without kernels). */
    public double coverage(int top) {
        long total = kernels();
        if (total == 0) {
            return 0;
        }
        int[] order = ranking();
        long covered = 0;
        for (int i = 0; i < Math.min(top, order.length); i++) {
            covered += counts[order[i]];
        }
        return (double) covered / total;
    }

    /** The layer's codebook of {@code 2^eta} patterns: the most frequent, ties to the lower id. */
    public Codebook codebook(int eta) {
        Codebook.checkEta(eta);
        return new Codebook(Arrays.copyOf(ranking(), 1 << eta));
    }
}
