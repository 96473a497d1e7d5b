package dev.spikebit.core.kernels.gemm;

/**
 * The plain triple loop, accumulating in double: the reference the fast backends are tested
 * against. Too slow for training (a few GFLOP/s).
 */
public final class NaiveGemm implements Gemm {
    @Override
    public void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOffset,
            int lda,
            float[] b,
            int bOffset,
            int ldb,
            float beta,
            float[] c,
            int cOffset,
            int ldc) {
        GemmArguments.check(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        if (GemmArguments.finishedWithoutProduct(m, n, k, alpha, beta, c, cOffset, ldc)) {
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float x = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    float y = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    sum += (double) x * y;
                }
                int at = cOffset + i * ldc + j;
                double old = beta == 0f ? 0 : (double) beta * c[at];
                c[at] = (float) (alpha * sum + old);
            }
        }
    }

    @Override
    public String name() {
        return "naive";
    }
}
