package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a layer's input looks like before the layer runs (docs/methods.md 4): how many values are
 * non-zero, how many operations they cause (the sum of their fan-outs), and, when the event-driven
 * path will run, the list of their indices. Counting is vectorized and runs before every layer
 * that computes; the list is made only when it is needed.
 */
public final class InputCensus {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Bits of a comparison that pick one row of {@link #SET_LANES}: eight, or a vector's lanes if fewer. */
    private static final int GROUP = Math.min(8, F.length());
    /**
     * Row {@code b} ({@code F.length()} ints from {@code b * F.length()}), for each {@code b <
     * 2^GROUP}: the positions of its set bits in increasing order, then zeros.
     */
    private static final int[] SET_LANES = setLanes();

    private InputCensus() {}

    /** The number of non-zero values among {@code x[0 .. size)}. */
    public static int nonZeros(float[] x, int size) {
        int count = 0;
        int i = 0;
        for (int upper = F.loopBound(size); i < upper; i += F.length()) {
            count += FloatVector.fromArray(F, x, i)
                    .compare(VectorOperators.NE, 0f)
                    .trueCount();
        }
        for (; i < size; i++) {
            count += x[i] != 0f ? 1 : 0;
        }
        return count;
    }

    /** The sum of {@code fan[j]} over the non-zero {@code x[j]}, {@code j < size}. */
    public static long fanOfNonZeros(float[] x, int size, int[] fan) {
        long sum = 0;
        int i = 0;
        if (F.length() == I.length()) {
            var acc = IntVector.zero(I);
            // Flushed every 2^12 vectors so that no lane can overflow (fan-outs stay below 2^19).
            int flushEvery = F.length() << 12;
            for (int upper = F.loopBound(size); i < upper; i += F.length()) {
                VectorMask<Integer> nonZero = FloatVector.fromArray(F, x, i)
                        .compare(VectorOperators.NE, 0f)
                        .cast(I);
                acc = acc.add(IntVector.fromArray(I, fan, i), nonZero);
                if ((i + F.length()) % flushEvery == 0) {
                    sum += acc.reduceLanesToLong(VectorOperators.ADD);
                    acc = IntVector.zero(I);
                }
            }
            sum += acc.reduceLanesToLong(VectorOperators.ADD);
        }
        for (; i < size; i++) {
            sum += x[i] != 0f ? fan[i] : 0;
        }
        return sum;
    }

    /**
     * 1 if {@code v != 0f} (also for NaN), 0 for 0 and -0, by arithmetic on its bits: a ternary here
     * was compiled to a branch, which the kernels' listing loops mispredicted on about every third
     * value at the densities of spikes.
     */
    static int nonZero(float v) {
        return ((Float.floatToRawIntBits(v) & 0x7fffffff) + 0x7fffffff) >>> 31;
    }

    /**
     * Writes the indices of the non-zero values, in increasing order, to {@code events} (at least
     * {@code size} ints); returns how many. A vector of values at a time is compared with 0, and
     * the comparison's bits, eight at a time, pick a row of {@link #SET_LANES}: the positions of the
     * set bits, stored as one vector and kept as far as the bit count. No branch depends on the data;
     * a loop over the set bits mispredicted its exit about once a vector, and took as long as the
     * 3136 -> 128 layer's event sums.
     */
    public static int list(float[] x, int size, int[] events) {
        return list(x, 0, size, events);
    }

    /**
     * {@link #list(float[], int, int[])} of the values {@code x[from .. from + size)}: the indices
     * written are relative to {@code from}.
     */
    public static int list(float[] x, int from, int size, int[] events) {
        int lanes = F.length();
        int n = 0;
        int j = 0;
        // A group stores a whole vector at n <= its first index: within size while its first index
        // plus a vector is.
        for (int upper = size - Math.max(lanes, 2 * lanes - GROUP); j <= upper; j += lanes) {
            long bits = FloatVector.fromArray(F, x, from + j)
                    .compare(VectorOperators.NE, 0f)
                    .toLong();
            for (int group = 0; group < lanes; group += GROUP) {
                int set = (int) (bits >>> group) & (1 << GROUP) - 1;
                IntVector.fromArray(I, SET_LANES, set * lanes).add(j + group).intoArray(events, n);
                n += Integer.bitCount(set);
            }
        }
        // The tail branch-free: every index is written, and kept only if its value is non-zero.
        for (; j < size; j++) {
            events[n] = j;
            n += nonZero(x[from + j]);
        }
        return n;
    }

    private static int[] setLanes() {
        int lanes = F.length();
        int[] rows = new int[(1 << GROUP) * lanes];
        for (int b = 0; b < 1 << GROUP; b++) {
            for (int bit = 0, k = 0; bit < GROUP; bit++) {
                if ((b >>> bit & 1) != 0) {
                    rows[b * lanes + k++] = bit;
                }
            }
        }
        return rows;
    }

    /** The number of indices {@code j < size} at which {@code a[j] != b[j]} (also where either is NaN). */
    public static int differences(float[] a, float[] b, int size) {
        int count = 0;
        int i = 0;
        for (int upper = F.loopBound(size); i < upper; i += F.length()) {
            count += FloatVector.fromArray(F, a, i)
                    .compare(VectorOperators.NE, FloatVector.fromArray(F, b, i))
                    .trueCount();
        }
        for (; i < size; i++) {
            count += a[i] != b[i] ? 1 : 0;
        }
        return count;
    }

    /**
     * {@code delta[j] = x[j] - earlier[j]} for {@code j < size}: 0 exactly where the two are equal,
     * and non-zero wherever they differ (with subnormals, the difference of two distinct finite
     * floats is never 0).
     */
    public static void subtract(float[] x, float[] earlier, int size, float[] delta) {
        int i = 0;
        for (int upper = F.loopBound(size); i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, i)
                    .sub(FloatVector.fromArray(F, earlier, i))
                    .intoArray(delta, i);
        }
        for (; i < size; i++) {
            delta[i] = x[i] - earlier[i];
        }
    }

    /**
     * {@link #subtract}, and then {@code earlier[j] = x[j]}, in one pass: for a buffer of an earlier
     * input that this input replaces.
     */
    public static void subtractAndKeep(float[] x, float[] earlier, int size, float[] delta) {
        int i = 0;
        for (int upper = F.loopBound(size); i < upper; i += F.length()) {
            var xv = FloatVector.fromArray(F, x, i);
            xv.sub(FloatVector.fromArray(F, earlier, i)).intoArray(delta, i);
            xv.intoArray(earlier, i);
        }
        for (; i < size; i++) {
            delta[i] = x[i] - earlier[i];
            earlier[i] = x[i];
        }
    }
}
