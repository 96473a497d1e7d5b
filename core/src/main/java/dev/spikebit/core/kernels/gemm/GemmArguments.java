package dev.spikebit.core.kernels.gemm;

/**
 * The checks and the degenerate cases every {@link Gemm} shares, so that the backends differ only
 * in how they multiply.
 *
 * <p>The bounds check matters most for {@link BlasGemm}: native code reading past an array does
 * not throw, it corrupts memory or crashes the JVM.
 */
final class GemmArguments {
    private GemmArguments() {}

    /** Throws {@link IllegalArgumentException} unless every element the call may touch exists. */
    static void check(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float[] a,
            int aOffset,
            int lda,
            float[] b,
            int bOffset,
            int ldb,
            float[] c,
            int cOffset,
            int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        checkMatrix("A", a, aOffset, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOffset, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOffset, ldc, m, n);
    }

    private static void checkMatrix(String name, float[] data, int offset, int ld, int rows, int cols) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld
                    + ", expected at least " + Math.max(1, cols) + " (its stored row length)");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = (long) offset + (long) (rows - 1) * ld + cols;
        if (offset < 0 || end > data.length) {
            throw new IllegalArgumentException("sgemm: " + name + " is " + rows + " x " + cols
                    + " with leading dimension " + ld + " from offset " + offset + ", which needs " + end
                    + " floats, but its array holds " + data.length);
        }
    }

    /**
     * Finishes the calls that need no product: an empty {@code C}, or {@code alpha == 0} or
     * {@code k == 0}, where {@code C = beta * C}. Returns whether the call is done.
     */
    static boolean finishedWithoutProduct(
            int m, int n, int k, float alpha, float beta, float[] c, int cOffset, int ldc) {
        if (m == 0 || n == 0) {
            return true;
        }
        if (k != 0 && alpha != 0f) {
            return false;
        }
        scale(m, n, beta, c, cOffset, ldc);
        return true;
    }

    /** {@code C = beta * C}, where {@code beta == 0} writes zeros even over NaN. */
    static void scale(int m, int n, float beta, float[] c, int cOffset, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }
}
