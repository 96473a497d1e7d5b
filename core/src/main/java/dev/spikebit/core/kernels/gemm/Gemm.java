package dev.spikebit.core.kernels.gemm;

/**
 * Single-precision general matrix multiply: {@code C = alpha * op(A) * op(B) + beta * C}, all
 * matrices row-major, {@code op(X)} either {@code X} or its transpose.
 *
 * <p>{@code op(A)} is {@code m x k}: stored as {@code m} rows of {@code k}, or when {@code transA}
 * as {@code k} rows of {@code m}, row {@code r} starting at {@code aOffset + r * lda}. Likewise
 * {@code op(B)} is {@code k x n} (stored {@code n x k} when {@code transB}) and {@code C} is
 * {@code m x n} with leading dimension {@code ldc}. A leading dimension may exceed the row length,
 * which lets a call work on a sub-matrix in place.
 *
 * <p>{@code beta == 0} overwrites {@code C} without reading it, so NaN or garbage in the old
 * {@code C} does not leak into the result; {@code alpha == 0} or {@code k == 0} scales {@code C}
 * by {@code beta} without reading {@code A} or {@code B} (the BLAS convention).
 *
 * <p>Implementations: {@link BlasGemm} (OpenBLAS), {@link JavaGemm} (Vector API), {@link NaiveGemm}
 * (the reference); {@link Gemms} chooses one at start-up. See {@code docs/gemm.md}.
 */
public interface Gemm {
    void sgemm(
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
            int ldc);

    /** The backend's name: {@code "blas"}, {@code "java"} or {@code "naive"}. */
    String name();
}
