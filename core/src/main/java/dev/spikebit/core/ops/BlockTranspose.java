package dev.spikebit.core.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transposes a matrix of floats, eight by eight: eight rows loaded as 256-bit vectors, their lanes
 * exchanged in three stages of permutes and blends (blocks of four, two, then one lane swapped
 * across the diagonal), eight columns stored as vectors. The event-driven forward pass uses it to
 * turn its sums {@code [pixels][channels]} into the output's {@code [channels][pixels]}: the scalar
 * loop moved one float per load and store and wrote to a different cache line each time (3.3 ms
 * against 1.8-2.1 per 256 images of fmnist-cnn's second convolution on one AVX2 core;
 * docs/performance.md). The blocks need 256-bit float and integer vectors (AVX2, AVX-512; on
 * narrower hardware the permutes are not compiled to instructions); otherwise, and at the edges,
 * the scalar loop. Pure data movement: the result is the same either way.
 */
final class BlockTranspose {
    private static final VectorSpecies<Float> EIGHT = FloatVector.SPECIES_256;
    static final boolean VECTORS =
            FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 && IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    /** The side of a block. */
    static final int N = 8;

    private static final int STAGES = 3;

    /** Stage {@code s} exchanges blocks of {@code h = 4 >> s} lanes: from the second row, shifted down. */
    private static final VectorShuffle<Float>[] DOWN = shuffles(true);
    /** ... and from the first row, shifted up. */
    private static final VectorShuffle<Float>[] UP = shuffles(false);
    /** The lanes {@code l} with {@code l & h != 0}: taken from the second row. */
    private static final VectorMask<Float>[] SECOND = masks();

    private BlockTranspose() {}

    /**
     * {@code dst[to + c * dstStride + r] = src[from + r * srcStride + c]} for {@code r < rows}, {@code
     * c < cols}.
     */
    static void transpose(
            float[] src, int from, int srcStride, float[] dst, int to, int dstStride, int rows, int cols) {
        int r = 0;
        if (VECTORS) {
            for (; r + N <= rows; r += N) {
                int c = 0;
                for (; c + N <= cols; c += N) {
                    block(src, from + r * srcStride + c, srcStride, dst, to + c * dstStride + r, dstStride);
                }
                for (; c < cols; c++) {
                    for (int i = 0; i < N; i++) {
                        dst[to + c * dstStride + r + i] = src[from + (r + i) * srcStride + c];
                    }
                }
            }
        }
        for (; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[to + c * dstStride + r] = src[from + r * srcStride + c];
            }
        }
    }

    /** One 8 x 8 block: rows at {@code from + i * srcStride}, columns to {@code to + j * dstStride}. */
    private static void block(float[] src, int from, int srcStride, float[] dst, int to, int dstStride) {
        var r0 = FloatVector.fromArray(EIGHT, src, from);
        var r1 = FloatVector.fromArray(EIGHT, src, from + srcStride);
        var r2 = FloatVector.fromArray(EIGHT, src, from + 2 * srcStride);
        var r3 = FloatVector.fromArray(EIGHT, src, from + 3 * srcStride);
        var r4 = FloatVector.fromArray(EIGHT, src, from + 4 * srcStride);
        var r5 = FloatVector.fromArray(EIGHT, src, from + 5 * srcStride);
        var r6 = FloatVector.fromArray(EIGHT, src, from + 6 * srcStride);
        var r7 = FloatVector.fromArray(EIGHT, src, from + 7 * srcStride);
        // Blocks of four: rows i and i + 4.
        var down = DOWN[0];
        var up = UP[0];
        var second = SECOND[0];
        var t0 = r0.blend(r4.rearrange(down), second);
        var t4 = r0.rearrange(up).blend(r4, second);
        var t1 = r1.blend(r5.rearrange(down), second);
        var t5 = r1.rearrange(up).blend(r5, second);
        var t2 = r2.blend(r6.rearrange(down), second);
        var t6 = r2.rearrange(up).blend(r6, second);
        var t3 = r3.blend(r7.rearrange(down), second);
        var t7 = r3.rearrange(up).blend(r7, second);
        // Blocks of two: rows i and i + 2.
        down = DOWN[1];
        up = UP[1];
        second = SECOND[1];
        r0 = t0.blend(t2.rearrange(down), second);
        r2 = t0.rearrange(up).blend(t2, second);
        r1 = t1.blend(t3.rearrange(down), second);
        r3 = t1.rearrange(up).blend(t3, second);
        r4 = t4.blend(t6.rearrange(down), second);
        r6 = t4.rearrange(up).blend(t6, second);
        r5 = t5.blend(t7.rearrange(down), second);
        r7 = t5.rearrange(up).blend(t7, second);
        // Single lanes: rows i and i + 1.
        down = DOWN[2];
        up = UP[2];
        second = SECOND[2];
        r0.blend(r1.rearrange(down), second).intoArray(dst, to);
        r0.rearrange(up).blend(r1, second).intoArray(dst, to + dstStride);
        r2.blend(r3.rearrange(down), second).intoArray(dst, to + 2 * dstStride);
        r2.rearrange(up).blend(r3, second).intoArray(dst, to + 3 * dstStride);
        r4.blend(r5.rearrange(down), second).intoArray(dst, to + 4 * dstStride);
        r4.rearrange(up).blend(r5, second).intoArray(dst, to + 5 * dstStride);
        r6.blend(r7.rearrange(down), second).intoArray(dst, to + 6 * dstStride);
        r6.rearrange(up).blend(r7, second).intoArray(dst, to + 7 * dstStride);
    }

    /**
     * One 8 x 8 block whose rows and columns lie anywhere: for {@code r, c < 8}, {@code
     * dst[colAt[c] + colShift + r]} is set to ({@code add}: increased by) {@code src[rowAt[r] +
     * rowShift + c]}. The channels-last copies of {@code WinogradConv} use it with rows or columns
     * that are pixels of a bordered plane, where no single stride fits. Without 256-bit vectors
     * element by element, in the same order per element (the sum, if any, is one addition).
     */
    static void scattered(float[] src, int[] rowAt, int rowShift, float[] dst, int[] colAt, int colShift, boolean add) {
        if (!VECTORS) {
            for (int c = 0; c < N; c++) {
                int to = colAt[c] + colShift;
                for (int r = 0; r < N; r++) {
                    float value = src[rowAt[r] + rowShift + c];
                    dst[to + r] = add ? dst[to + r] + value : value;
                }
            }
            return;
        }
        var r0 = FloatVector.fromArray(EIGHT, src, rowAt[0] + rowShift);
        var r1 = FloatVector.fromArray(EIGHT, src, rowAt[1] + rowShift);
        var r2 = FloatVector.fromArray(EIGHT, src, rowAt[2] + rowShift);
        var r3 = FloatVector.fromArray(EIGHT, src, rowAt[3] + rowShift);
        var r4 = FloatVector.fromArray(EIGHT, src, rowAt[4] + rowShift);
        var r5 = FloatVector.fromArray(EIGHT, src, rowAt[5] + rowShift);
        var r6 = FloatVector.fromArray(EIGHT, src, rowAt[6] + rowShift);
        var r7 = FloatVector.fromArray(EIGHT, src, rowAt[7] + rowShift);
        // Blocks of four: rows i and i + 4.
        var down = DOWN[0];
        var up = UP[0];
        var second = SECOND[0];
        var t0 = r0.blend(r4.rearrange(down), second);
        var t4 = r0.rearrange(up).blend(r4, second);
        var t1 = r1.blend(r5.rearrange(down), second);
        var t5 = r1.rearrange(up).blend(r5, second);
        var t2 = r2.blend(r6.rearrange(down), second);
        var t6 = r2.rearrange(up).blend(r6, second);
        var t3 = r3.blend(r7.rearrange(down), second);
        var t7 = r3.rearrange(up).blend(r7, second);
        // Blocks of two: rows i and i + 2.
        down = DOWN[1];
        up = UP[1];
        second = SECOND[1];
        r0 = t0.blend(t2.rearrange(down), second);
        r2 = t0.rearrange(up).blend(t2, second);
        r1 = t1.blend(t3.rearrange(down), second);
        r3 = t1.rearrange(up).blend(t3, second);
        r4 = t4.blend(t6.rearrange(down), second);
        r6 = t4.rearrange(up).blend(t6, second);
        r5 = t5.blend(t7.rearrange(down), second);
        r7 = t5.rearrange(up).blend(t7, second);
        // Single lanes: rows i and i + 1.
        down = DOWN[2];
        up = UP[2];
        second = SECOND[2];
        store(r0.blend(r1.rearrange(down), second), dst, colAt[0] + colShift, add);
        store(r0.rearrange(up).blend(r1, second), dst, colAt[1] + colShift, add);
        store(r2.blend(r3.rearrange(down), second), dst, colAt[2] + colShift, add);
        store(r2.rearrange(up).blend(r3, second), dst, colAt[3] + colShift, add);
        store(r4.blend(r5.rearrange(down), second), dst, colAt[4] + colShift, add);
        store(r4.rearrange(up).blend(r5, second), dst, colAt[5] + colShift, add);
        store(r6.blend(r7.rearrange(down), second), dst, colAt[6] + colShift, add);
        store(r6.rearrange(up).blend(r7, second), dst, colAt[7] + colShift, add);
    }

    private static void store(FloatVector column, float[] dst, int at, boolean add) {
        (add ? column.add(FloatVector.fromArray(EIGHT, dst, at)) : column).intoArray(dst, at);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] shuffles(boolean down) {
        VectorShuffle<Float>[] result = new VectorShuffle[STAGES];
        for (int s = 0; s < STAGES; s++) {
            int h = 4 >> s;
            int[] lanes = new int[N];
            for (int l = 0; l < N; l++) {
                boolean fromSecond = (l & h) != 0;
                lanes[l] = down ? (fromSecond ? l - h : l) : (fromSecond ? l : l + h);
            }
            result[s] = VectorShuffle.fromArray(EIGHT, lanes, 0);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] masks() {
        VectorMask<Float>[] result = new VectorMask[STAGES];
        for (int s = 0; s < STAGES; s++) {
            int h = 4 >> s;
            boolean[] second = new boolean[N];
            for (int l = 0; l < N; l++) {
                second[l] = (l & h) != 0;
            }
            result[s] = VectorMask.fromArray(EIGHT, second, 0);
        }
        return result;
    }
}
