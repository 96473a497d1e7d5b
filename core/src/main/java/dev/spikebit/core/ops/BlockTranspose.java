package dev.spikebit.core.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transposes a matrix of floats in blocks of eight rows by one vector of columns: eight rows loaded as
 * vectors, their lanes exchanged in three stages of permutes and blends (blocks of four, two, then one
 * lane swapped across the diagonal of each eight-lane half), eight columns stored. The event-driven
 * forward pass uses it to turn its sums {@code [pixels][channels]} into the output's {@code
 * [channels][pixels]}: the scalar loop moved one float per load and store and wrote to a different
 * cache line each time (3.3 ms against 1.8-2.1 per 256 images of fmnist-cnn's second convolution on
 * one AVX2 core; docs/performance.md).
 *
 * <p>The vectors are {@link FloatVector#SPECIES_PREFERRED}'s, as in every other kernel, never a
 * narrower species beside it: C2 compiles the vector methods' virtual calls by the receiver types
 * each call site has seen, and one 256-bit vector reaching the shared methods ({@code add}, {@code
 * intoArray}, ...) beside the 512-bit ones of the other kernels made C2 box the vectors of kernels
 * compiled after it, gigabytes per training step (docs/performance.md, "Vector boxing, ninth pass").
 * With 8 lanes (AVX2) a vector is one row of a block of 8 x 8; with 16 lanes (AVX-512) it holds two
 * blocks side by side, 8 rows by 16 columns, and each stored vector is two half columns (masked
 * stores). Other widths, and the edges, take the scalar loop. Pure data movement: the result is the
 * same either way.
 */
final class BlockTranspose {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    static final boolean VECTORS = (LANES == 8 || LANES == 16) && IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    /** The rows of a block. */
    static final int ROWS = 8;
    /** The columns of a block: a vector's lanes where the blocks are vectors, else eight. */
    static final int COLS = VECTORS ? LANES : 8;

    /** Stage {@code h} (4, 2, 1) exchanges blocks of {@code h} lanes: from the second row, shifted down. */
    private static final VectorShuffle<Float> DOWN4 = VECTORS ? shuffle(4, true) : null;

    private static final VectorShuffle<Float> DOWN2 = VECTORS ? shuffle(2, true) : null;
    private static final VectorShuffle<Float> DOWN1 = VECTORS ? shuffle(1, true) : null;
    /** ... and from the first row, shifted up. */
    private static final VectorShuffle<Float> UP4 = VECTORS ? shuffle(4, false) : null;

    private static final VectorShuffle<Float> UP2 = VECTORS ? shuffle(2, false) : null;
    private static final VectorShuffle<Float> UP1 = VECTORS ? shuffle(1, false) : null;
    /** The lanes {@code l} with {@code l & h != 0}: taken from the second row. */
    private static final VectorMask<Float> SECOND4 = VECTORS ? lanes(4) : null;

    private static final VectorMask<Float> SECOND2 = VECTORS ? lanes(2) : null;
    private static final VectorMask<Float> SECOND1 = VECTORS ? lanes(1) : null;
    /** The lower eight lanes: with 16 lanes, one column of a block. */
    private static final VectorMask<Float> LOW = VECTORS ? SPECIES.indexInRange(0, ROWS) : null;

    private BlockTranspose() {}

    /**
     * {@code dst[to + c * dstStride + r] = src[from + r * srcStride + c]} for {@code r < rows}, {@code
     * c < cols}.
     */
    static void transpose(
            float[] src, int from, int srcStride, float[] dst, int to, int dstStride, int rows, int cols) {
        int r = 0;
        if (VECTORS) {
            float[] tile = LANES == ROWS ? null : new float[TILE];
            for (; r + ROWS <= rows; r += ROWS) {
                int c = 0;
                for (; c + COLS <= cols; c += COLS) {
                    int at = to + c * dstStride + r;
                    if (LANES == ROWS) {
                        block(src, from + r * srcStride + c, srcStride, dst, at, dstStride);
                    } else {
                        block(src, from + r * srcStride + c, srcStride, tile, 0, LANES);
                        for (int j = 0; j < ROWS; j++) {
                            putColumn(tile, j * LANES, dst, at + j * dstStride);
                            putColumn(tile, j * LANES + ROWS, dst, at + (j + ROWS) * dstStride);
                        }
                    }
                }
                for (; c < cols; c++) {
                    for (int i = 0; i < ROWS; i++) {
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

    /**
     * One block: rows at {@code from + i * srcStride}, the vectors of its exchanged lanes to {@code to
     * + j * dstStride} (with 8 lanes its columns; with 16, columns {@code j} and {@code j + 8}).
     */
    private static void block(float[] src, int from, int srcStride, float[] dst, int to, int dstStride) {
        exchange(
                src,
                from,
                from + srcStride,
                from + 2 * srcStride,
                from + 3 * srcStride,
                from + 4 * srcStride,
                from + 5 * srcStride,
                from + 6 * srcStride,
                from + 7 * srcStride,
                dst,
                to,
                dstStride);
    }

    /**
     * The exchange of {@link #block} and {@link #gather}: the rows at {@code src[o0..o7]}, their
     * exchanged lanes to {@code to + j * dstStride}. The vectors never leave this method, so C2
     * keeps them in registers whether or not it inlines it into the caller. It is the size of the
     * 8 x 8 kernel of before: with the half-column stores in it as well, C1 gave up on it at its
     * profiling tier and it ran without C2 (docs/performance.md).
     */
    private static void exchange(
            float[] src,
            int o0,
            int o1,
            int o2,
            int o3,
            int o4,
            int o5,
            int o6,
            int o7,
            float[] dst,
            int to,
            int dstStride) {
        var r0 = FloatVector.fromArray(SPECIES, src, o0);
        var r1 = FloatVector.fromArray(SPECIES, src, o1);
        var r2 = FloatVector.fromArray(SPECIES, src, o2);
        var r3 = FloatVector.fromArray(SPECIES, src, o3);
        var r4 = FloatVector.fromArray(SPECIES, src, o4);
        var r5 = FloatVector.fromArray(SPECIES, src, o5);
        var r6 = FloatVector.fromArray(SPECIES, src, o6);
        var r7 = FloatVector.fromArray(SPECIES, src, o7);
        // Blocks of four: rows i and i + 4.
        var t0 = r0.blend(r4.rearrange(DOWN4), SECOND4);
        var t4 = r0.rearrange(UP4).blend(r4, SECOND4);
        var t1 = r1.blend(r5.rearrange(DOWN4), SECOND4);
        var t5 = r1.rearrange(UP4).blend(r5, SECOND4);
        var t2 = r2.blend(r6.rearrange(DOWN4), SECOND4);
        var t6 = r2.rearrange(UP4).blend(r6, SECOND4);
        var t3 = r3.blend(r7.rearrange(DOWN4), SECOND4);
        var t7 = r3.rearrange(UP4).blend(r7, SECOND4);
        // Blocks of two: rows i and i + 2.
        r0 = t0.blend(t2.rearrange(DOWN2), SECOND2);
        r2 = t0.rearrange(UP2).blend(t2, SECOND2);
        r1 = t1.blend(t3.rearrange(DOWN2), SECOND2);
        r3 = t1.rearrange(UP2).blend(t3, SECOND2);
        r4 = t4.blend(t6.rearrange(DOWN2), SECOND2);
        r6 = t4.rearrange(UP2).blend(t6, SECOND2);
        r5 = t5.blend(t7.rearrange(DOWN2), SECOND2);
        r7 = t5.rearrange(UP2).blend(t7, SECOND2);
        // Single lanes: rows i and i + 1; column j of the block is then c{j}.
        var c0 = r0.blend(r1.rearrange(DOWN1), SECOND1);
        var c1 = r0.rearrange(UP1).blend(r1, SECOND1);
        var c2 = r2.blend(r3.rearrange(DOWN1), SECOND1);
        var c3 = r2.rearrange(UP1).blend(r3, SECOND1);
        var c4 = r4.blend(r5.rearrange(DOWN1), SECOND1);
        var c5 = r4.rearrange(UP1).blend(r5, SECOND1);
        var c6 = r6.blend(r7.rearrange(DOWN1), SECOND1);
        var c7 = r6.rearrange(UP1).blend(r7, SECOND1);
        c0.intoArray(dst, to);
        c1.intoArray(dst, to + dstStride);
        c2.intoArray(dst, to + 2 * dstStride);
        c3.intoArray(dst, to + 3 * dstStride);
        c4.intoArray(dst, to + 4 * dstStride);
        c5.intoArray(dst, to + 5 * dstStride);
        c6.intoArray(dst, to + 6 * dstStride);
        c7.intoArray(dst, to + 7 * dstStride);
    }

    /** The floats a block's {@code tile} needs. */
    static final int TILE = ROWS * COLS + 16;

    /**
     * One block whose rows and columns lie anywhere: for {@code r < ROWS, c < COLS}, {@code
     * dst[colAt[c] + colShift + r] = src[rowAt[r] + rowShift + c]}. The channels-last copies of
     * {@code WinogradConv} use it with rows or columns that are pixels of a bordered plane, where no
     * single stride fits. The exchanged block goes through {@code tile} (at least {@link #TILE}
     * floats), then a column at a time to its place. Without vectors element by element.
     */
    static void scattered(
            float[] src, int[] rowAt, int rowShift, float[] dst, int[] colAt, int colShift, float[] tile) {
        if (!VECTORS) {
            for (int c = 0; c < COLS; c++) {
                int to = colAt[c] + colShift;
                for (int r = 0; r < ROWS; r++) {
                    dst[to + r] = src[rowAt[r] + rowShift + c];
                }
            }
            return;
        }
        gather(src, rowAt, rowShift, tile);
        for (int c = 0; c < COLS; c++) {
            putColumn(tile, tileColumn(c), dst, colAt[c] + colShift);
        }
    }

    /**
     * {@link #scattered}, adding to {@code dst} instead of overwriting it: {@code dst[colAt[c] +
     * colShift + r] += src[rowAt[r] + rowShift + c]}, one addition per element.
     */
    static void scatteredAdd(
            float[] src, int[] rowAt, int rowShift, float[] dst, int[] colAt, int colShift, float[] tile) {
        if (!VECTORS) {
            for (int c = 0; c < COLS; c++) {
                int to = colAt[c] + colShift;
                for (int r = 0; r < ROWS; r++) {
                    dst[to + r] += src[rowAt[r] + rowShift + c];
                }
            }
            return;
        }
        gather(src, rowAt, rowShift, tile);
        for (int c = 0; c < COLS; c++) {
            addColumn(tile, tileColumn(c), dst, colAt[c] + colShift);
        }
    }

    /** Where column {@code c} of a block is in its tile: vector {@code c % 8}, its half {@code c / 8}. */
    private static int tileColumn(int c) {
        return (c & (ROWS - 1)) * LANES + (c / ROWS) * ROWS;
    }

    /** The exchanged lanes of rows {@code rowAt[i] + rowShift} into {@code tile}, vector {@code j} at {@code j * LANES}. */
    private static void gather(float[] src, int[] rowAt, int rowShift, float[] tile) {
        exchange(
                src,
                rowAt[0] + rowShift,
                rowAt[1] + rowShift,
                rowAt[2] + rowShift,
                rowAt[3] + rowShift,
                rowAt[4] + rowShift,
                rowAt[5] + rowShift,
                rowAt[6] + rowShift,
                rowAt[7] + rowShift,
                tile,
                0,
                LANES);
    }

    /** {@code dst[at + r] = tile[from + r]} for {@code r < ROWS}: a vector (the lower half of one with 16 lanes). */
    private static void putColumn(float[] tile, int from, float[] dst, int at) {
        if (LANES == ROWS) {
            FloatVector.fromArray(SPECIES, tile, from).intoArray(dst, at);
        } else {
            FloatVector.fromArray(SPECIES, tile, from).intoArray(dst, at, LOW);
        }
    }

    /** {@code dst[at + r] += tile[from + r]} for {@code r < ROWS}, as {@link #putColumn}. */
    private static void addColumn(float[] tile, int from, float[] dst, int at) {
        if (LANES == ROWS) {
            FloatVector.fromArray(SPECIES, tile, from)
                    .add(FloatVector.fromArray(SPECIES, dst, at))
                    .intoArray(dst, at);
        } else {
            FloatVector.fromArray(SPECIES, tile, from)
                    .add(FloatVector.fromArray(SPECIES, dst, at, LOW))
                    .intoArray(dst, at, LOW);
        }
    }

    /** Lane {@code l} of stage {@code h}: {@code l & h != 0} takes the second row's lane {@code l - h} ({@code down}), else the first row's {@code l + h}. */
    private static VectorShuffle<Float> shuffle(int h, boolean down) {
        int[] lanes = new int[LANES];
        for (int l = 0; l < LANES; l++) {
            boolean fromSecond = (l & h) != 0;
            lanes[l] = down ? (fromSecond ? l - h : l) : (fromSecond ? l : l + h);
        }
        return VectorShuffle.fromArray(SPECIES, lanes, 0);
    }

    private static VectorMask<Float> lanes(int h) {
        boolean[] second = new boolean[LANES];
        for (int l = 0; l < LANES; l++) {
            second[l] = (l & h) != 0;
        }
        return VectorMask.fromArray(SPECIES, second, 0);
    }
}
