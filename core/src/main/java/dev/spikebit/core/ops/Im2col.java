package dev.spikebit.core.ops;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Unfolds image patches into matrix columns and folds them back: convolution becomes one GEMM.
 * The column matrix of an image is {@code [C*kh*kw, OH*OW]}; several images sit side by side in a
 * wider matrix of leading dimension {@code ld}, image {@code j} at column {@code j * OH*OW}.
 */
final class Im2col {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private Im2col() {}

    /** Writes the patches of {@code image} (at {@code inOff}) into {@code col} at column {@code colOff}. */
    static void unfold(ConvGeometry g, float[] image, int inOff, float[] col, int colOff, int ld) {
        if (isSame(g)) {
            unfoldSame(g, image, inOff, col, colOff, ld);
            return;
        }
        int oh = g.outHeight();
        int ow = g.outWidth();
        int s = g.stride();
        int p = g.padding();
        int h = g.height();
        int w = g.width();
        for (int c = 0; c < g.channels(); c++) {
            int plane = inOff + c * h * w;
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int row = (c * g.kernelH() + ki) * g.kernelW() + kj;
                    int dst = row * ld + colOff;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s - p + ki;
                        int d = dst + y * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, d, d + ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w;
                        if (s == 1) {
                            // Columns x whose input column x - p + kj lies inside [0, w).
                            int x0 = Math.max(0, p - kj);
                            int x1 = Math.min(ow, w + p - kj);
                            if (x0 > 0) {
                                Arrays.fill(col, d, d + x0, 0f);
                            }
                            if (x1 > x0) {
                                System.arraycopy(image, src + x0 - p + kj, col, d + x0, x1 - x0);
                            }
                            if (x1 < ow) {
                                Arrays.fill(col, d + Math.max(x1, x0), d + ow, 0f);
                            }
                        } else {
                            for (int x = 0; x < ow; x++) {
                                int ix = x * s - p + kj;
                                col[d + x] = ix >= 0 && ix < w ? image[src + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Adds the columns of {@code col} back into the gradient image {@code grad} (at {@code outOff}). */
    static void fold(ConvGeometry g, float[] col, int colOff, int ld, float[] grad, int outOff) {
        if (isSame(g)) {
            foldSame(g, col, colOff, ld, grad, outOff);
            return;
        }
        int oh = g.outHeight();
        int ow = g.outWidth();
        int s = g.stride();
        int p = g.padding();
        int h = g.height();
        int w = g.width();
        for (int c = 0; c < g.channels(); c++) {
            int plane = outOff + c * h * w;
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int row = (c * g.kernelH() + ki) * g.kernelW() + kj;
                    int src = row * ld + colOff;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s - p + ki;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dst = plane + iy * w;
                        int d = src + y * ow;
                        if (s == 1) {
                            int x0 = Math.max(0, p - kj);
                            int x1 = Math.min(ow, w + p - kj);
                            if (x1 > x0) {
                                addInto(grad, dst - p + kj + x0, col, d + x0, x1 - x0);
                            }
                        } else {
                            for (int x = 0; x < ow; x++) {
                                int ix = x * s - p + kj;
                                if (ix >= 0 && ix < w) {
                                    grad[dst + ix] += col[d + x];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A stride-1 convolution whose output has the input's size (3x3 with padding 1, 1x1 without).
     * Then a column row is the image plane shifted by {@code dy * w + dx} as one flat block: one
     * copy per kernel tap instead of one per output row, plus zeros where the shift wrapped
     * around a row end or ran off the plane.
     */
    private static boolean isSame(ConvGeometry g) {
        return g.stride() == 1 && g.outHeight() == g.height() && g.outWidth() == g.width();
    }

    private static void unfoldSame(ConvGeometry g, float[] image, int inOff, float[] col, int colOff, int ld) {
        int h = g.height();
        int w = g.width();
        int p = g.padding();
        for (int c = 0; c < g.channels(); c++) {
            int plane = inOff + c * h * w;
            for (int ki = 0; ki < g.kernelH(); ki++) {
                int dy = ki - p;
                int y0 = Math.max(0, -dy);
                int y1 = Math.min(h, h - dy);
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int dx = kj - p;
                    int d = ((c * g.kernelH() + ki) * g.kernelW() + kj) * ld + colOff;
                    Arrays.fill(col, d, d + y0 * w, 0f);
                    Arrays.fill(col, d + y1 * w, d + h * w, 0f);
                    // Output (y, x) reads input (y + dy, x + dx): flat offset + dy * w + dx.
                    int first = y0 * w + Math.max(0, -dx);
                    int last = y1 * w - Math.max(0, dx);
                    if (last > first) {
                        System.arraycopy(image, plane + first + dy * w + dx, col, d + first, last - first);
                    }
                    zeroWrappedColumns(col, d, w, y0, y1, dx);
                }
            }
        }
    }

    private static void foldSame(ConvGeometry g, float[] col, int colOff, int ld, float[] grad, int outOff) {
        int h = g.height();
        int w = g.width();
        int p = g.padding();
        for (int c = 0; c < g.channels(); c++) {
            int plane = outOff + c * h * w;
            for (int ki = 0; ki < g.kernelH(); ki++) {
                int dy = ki - p;
                int y0 = Math.max(0, -dy);
                int y1 = Math.min(h, h - dy);
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int dx = kj - p;
                    int d = ((c * g.kernelH() + ki) * g.kernelW() + kj) * ld + colOff;
                    // Entries that met padding must not reach the image: clear them in the scratch columns.
                    zeroWrappedColumns(col, d, w, y0, y1, dx);
                    int first = y0 * w + Math.max(0, -dx);
                    int last = y1 * w - Math.max(0, dx);
                    addInto(grad, plane + dy * w + dx + first, col, d + first, last - first);
                }
            }
        }
    }

    /**
     * {@code grad[to .. to + n) += col[from .. from + n)}, in vectors. The plain loop was not
     * vectorised by the JIT (about 1.5 cycles per element); in vectors the input gradient of
     * fmnist-cnn's second convolution took a tenth less CPU (docs/performance.md).
     */
    private static void addInto(float[] grad, int to, float[] col, int from, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, grad, to + i)
                    .add(FloatVector.fromArray(SPECIES, col, from + i))
                    .intoArray(grad, to + i);
        }
        for (; i < n; i++) {
            grad[to + i] += col[from + i];
        }
    }

    /** Zeros, in rows y0..y1 of a column row, the |dx| columns whose input lies left or right of the image. */
    private static void zeroWrappedColumns(float[] col, int d, int w, int y0, int y1, int dx) {
        if (dx == 0) {
            return;
        }
        int from = dx > 0 ? w - dx : 0;
        int to = dx > 0 ? w : -dx;
        for (int y = y0; y < y1; y++) {
            int row = d + y * w;
            for (int x = from; x < to; x++) {
                col[row + x] = 0f;
            }
        }
    }
}
