package dev.spikebit.core.kernels.gemm;

import dev.spikebit.core.kernels.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM in pure Java on the Vector API: the fallback when OpenBLAS cannot be loaded.
 *
 * <p>The classic blocked scheme (Goto, BLIS). A {@code KC x NC} panel of {@code op(B)} is packed
 * into strips {@link #NR} columns wide, an {@code MC x KC} block of {@code op(A)} into strips
 * {@link #MR} rows high, both depth-major so the micro-kernel reads them front to back; the
 * micro-kernel keeps an {@code MR x NR} tile of {@code C} in registers ({@code MR} rows times two
 * vectors) for a whole {@code KC} run. Packing also removes the transposes: every combination of
 * {@code transA} and {@code transB} ends in the same panels and the same kernel. The last strips
 * are padded with zeros and their tiles written back element by element.
 *
 * <p>Work is split over the shared pool ({@link Parallel}) by rows or by columns of {@code C},
 * whichever is longer; each part runs the blocked loop on its own, packing its own panels, so the
 * parts never wait for one another.
 *
 * <p>Measured figures are in {@code docs/gemm.md}.
 */
public final class JavaGemm implements Gemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /**
     * Rows of the register tile. Four rows of two vectors are 8 accumulators, 2 operands of
     * {@code B} and a broadcast of {@code A}: 11 registers, which fits AVX2's 16 without spilling
     * (6 rows spill there). With AVX-512's 32 registers 6 rows would be 10% faster in isolation.
     */
    static final int MR = 4;
    /** Columns of the register tile: two vectors, so a multiple of 8 (vectors hold at least 4 floats). */
    static final int NR = 2 * LANES;
    /** Depth of a packed run: a {@code KC x NR} strip of B (32 KB with 512-bit vectors) stays in L1. */
    private static final int KC = 256;
    /** Rows of a packed block of A: {@code MC x KC} floats (256 KB) stay in L2. */
    private static final int MC = 256;
    /** Columns of a packed panel of B: {@code KC x NC} floats (2 MB) stay in L3. */
    private static final int NC = Math.max(NR, 2048 / NR * NR);
    /** Below this many flops per part a hand-off to another thread costs more than it saves. */
    private static final double MIN_FLOPS_PER_PART = 4e6;

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
        var opA = new Operand(a, aOffset, lda, transA);
        var opB = new Operand(b, bOffset, ldb, transB);
        var out = new Output(c, cOffset, ldc, alpha, beta);
        int parts = (int) Math.clamp(2.0 * m * n * k / MIN_FLOPS_PER_PART, 1, Parallel.threads());
        // Each part packs all of the operand it does not split: split the longer side of C, so the
        // panel every part packs again is the smaller one (A when splitting columns, B when rows).
        if (n >= m) {
            int columnTiles = ceilDiv(n, NR);
            Parallel.range(
                    columnTiles,
                    Math.max(1, columnTiles / parts),
                    (from, to) -> multiplyBlock(opA, opB, k, out, 0, m, from * NR, Math.min(n, to * NR)));
        } else {
            int rowTiles = ceilDiv(m, MR);
            Parallel.range(
                    rowTiles,
                    Math.max(1, rowTiles / parts),
                    (from, to) -> multiplyBlock(opA, opB, k, out, from * MR, Math.min(m, to * MR), 0, n));
        }
    }

    @Override
    public String name() {
        return "java";
    }

    /**
     * A stored input matrix: {@code op(X)(r, s)} is {@code data[offset + r * ld + s]}, or
     * {@code data[offset + s * ld + r]} when transposed.
     */
    private record Operand(float[] data, int offset, int ld, boolean transposed) {}

    /** Where and how results land: {@code C = alpha * product + beta * C}. */
    private record Output(float[] data, int offset, int ld, float alpha, float beta) {}

    /**
     * Each thread's packing buffers (A, B, spill), kept from call to call: the convolutions call
     * the GEMM once per image from every pool thread, and fresh buffers (over 100 KB a call) were
     * tens of megabytes of garbage per training step. Packing writes every element it later reads,
     * padding included, so what a buffer held before does not matter.
     */
    private static final ThreadLocal<float[][]> PACKING = ThreadLocal.withInitial(() -> new float[3][0]);

    private static float[] buffer(float[][] buffers, int which, int size) {
        if (buffers[which].length < size) {
            buffers[which] = new float[size];
        }
        return buffers[which];
    }

    /** Computes rows {@code [i0, i1)} and columns {@code [j0, j1)} of C, single-threaded. */
    private static void multiplyBlock(Operand a, Operand b, int k, Output c, int i0, int i1, int j0, int j1) {
        int kcMax = Math.min(KC, k);
        float[][] buffers = PACKING.get();
        var packedA = buffer(buffers, 0, ceilDiv(Math.min(MC, i1 - i0), MR) * MR * kcMax);
        var packedB = buffer(buffers, 1, ceilDiv(Math.min(NC, j1 - j0), NR) * NR * kcMax);
        var spill = buffer(buffers, 2, MR * NR);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                // Only the first run over the depth applies beta; later runs add to what it wrote.
                float beta = pc == 0 ? c.beta() : 1f;
                packB(b, pc, kc, jc, nc, packedB);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(a, ic, mc, pc, kc, packedA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        int bStart = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int rows = Math.min(MR, mc - ir);
                            int cStart = c.offset() + (ic + ir) * c.ld() + jc + jr;
                            multiplyTile(
                                    kc, packedA, ir * kc, packedB, bStart, c.data(), cStart, c.ld(), rows, cols,
                                    c.alpha(), beta, spill);
                        }
                    }
                }
            }
        }
    }

    /**
     * The micro-kernel: an {@code MR x NR} tile of {@code C} from a strip of packed A (MR values per
     * depth) and a strip of packed B (NR values per depth). Everything stays in this one method: a
     * vector handed to a method the JIT does not inline is boxed on the heap, 10-30x slower.
     */
    private static void multiplyTile(
            int kc,
            float[] packedA,
            int aStart,
            float[] packedB,
            int bStart,
            float[] c,
            int cStart,
            int ldc,
            int rows,
            int cols,
            float alpha,
            float beta,
            float[] spill) {
        var c00 = FloatVector.zero(SPECIES);
        var c01 = FloatVector.zero(SPECIES);
        var c10 = FloatVector.zero(SPECIES);
        var c11 = FloatVector.zero(SPECIES);
        var c20 = FloatVector.zero(SPECIES);
        var c21 = FloatVector.zero(SPECIES);
        var c30 = FloatVector.zero(SPECIES);
        var c31 = FloatVector.zero(SPECIES);
        for (int p = 0, ia = aStart, ib = bStart; p < kc; p++, ia += MR, ib += NR) {
            var b0 = FloatVector.fromArray(SPECIES, packedB, ib);
            var b1 = FloatVector.fromArray(SPECIES, packedB, ib + LANES);
            var a0 = FloatVector.broadcast(SPECIES, packedA[ia]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            var a1 = FloatVector.broadcast(SPECIES, packedA[ia + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            var a2 = FloatVector.broadcast(SPECIES, packedA[ia + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            var a3 = FloatVector.broadcast(SPECIES, packedA[ia + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        if (rows == MR && cols == NR) {
            int r0 = cStart;
            int r1 = r0 + ldc;
            int r2 = r1 + ldc;
            int r3 = r2 + ldc;
            if (beta == 0f) {
                c00.mul(alpha).intoArray(c, r0);
                c01.mul(alpha).intoArray(c, r0 + LANES);
                c10.mul(alpha).intoArray(c, r1);
                c11.mul(alpha).intoArray(c, r1 + LANES);
                c20.mul(alpha).intoArray(c, r2);
                c21.mul(alpha).intoArray(c, r2 + LANES);
                c30.mul(alpha).intoArray(c, r3);
                c31.mul(alpha).intoArray(c, r3 + LANES);
            } else {
                var scale = FloatVector.broadcast(SPECIES, alpha);
                c00.fma(scale, FloatVector.fromArray(SPECIES, c, r0).mul(beta)).intoArray(c, r0);
                c01.fma(scale, FloatVector.fromArray(SPECIES, c, r0 + LANES).mul(beta))
                        .intoArray(c, r0 + LANES);
                c10.fma(scale, FloatVector.fromArray(SPECIES, c, r1).mul(beta)).intoArray(c, r1);
                c11.fma(scale, FloatVector.fromArray(SPECIES, c, r1 + LANES).mul(beta))
                        .intoArray(c, r1 + LANES);
                c20.fma(scale, FloatVector.fromArray(SPECIES, c, r2).mul(beta)).intoArray(c, r2);
                c21.fma(scale, FloatVector.fromArray(SPECIES, c, r2 + LANES).mul(beta))
                        .intoArray(c, r2 + LANES);
                c30.fma(scale, FloatVector.fromArray(SPECIES, c, r3).mul(beta)).intoArray(c, r3);
                c31.fma(scale, FloatVector.fromArray(SPECIES, c, r3 + LANES).mul(beta))
                        .intoArray(c, r3 + LANES);
            }
            return;
        }
        // An edge tile: the padded rows and columns were computed from zeros; write back only the real ones.
        c00.intoArray(spill, 0);
        c01.intoArray(spill, LANES);
        c10.intoArray(spill, NR);
        c11.intoArray(spill, NR + LANES);
        c20.intoArray(spill, 2 * NR);
        c21.intoArray(spill, 2 * NR + LANES);
        c30.intoArray(spill, 3 * NR);
        c31.intoArray(spill, 3 * NR + LANES);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int at = cStart + i * ldc + j;
                float product = alpha * spill[i * NR + j];
                c[at] = beta == 0f ? product : product + beta * c[at];
            }
        }
    }

    /**
     * Packs rows {@code [i0, i0 + mc)} and depths {@code [p0, p0 + kc)} of {@code op(A)} into strips
     * of {@link #MR} rows, each strip depth-major ({@code MR} values per depth), zeros past the last row.
     */
    private static void packA(Operand a, int i0, int mc, int p0, int kc, float[] packed) {
        float[] src = a.data();
        int ld = a.ld();
        for (int strip = 0; strip < mc; strip += MR) {
            int rows = Math.min(MR, mc - strip);
            int dst = strip * kc;
            if (a.transposed()) {
                // op(A)(i, p) = A[p][i]: the values of one depth lie side by side in memory.
                for (int p = 0; p < kc; p++) {
                    int from = a.offset() + (p0 + p) * ld + i0 + strip;
                    int to = dst + p * MR;
                    for (int r = 0; r < MR; r++) {
                        packed[to + r] = r < rows ? src[from + r] : 0f;
                    }
                }
            } else if (rows == MR) {
                // Four rows read side by side, each front to back, interleaved into the strip.
                int from0 = a.offset() + (i0 + strip) * ld + p0;
                int from1 = from0 + ld;
                int from2 = from1 + ld;
                int from3 = from2 + ld;
                for (int p = 0, to = dst; p < kc; p++, to += MR) {
                    packed[to] = src[from0 + p];
                    packed[to + 1] = src[from1 + p];
                    packed[to + 2] = src[from2 + p];
                    packed[to + 3] = src[from3 + p];
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    int from = a.offset() + (i0 + strip + r) * ld + p0;
                    for (int p = 0; p < kc; p++) {
                        packed[dst + p * MR + r] = r < rows ? src[from + p] : 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs depths {@code [p0, p0 + kc)} and columns {@code [j0, j0 + nc)} of {@code op(B)} into strips
     * of {@link #NR} columns, each strip depth-major ({@code NR} values per depth), zeros past the last column.
     */
    private static void packB(Operand b, int p0, int kc, int j0, int nc, float[] packed) {
        float[] src = b.data();
        int ld = b.ld();
        for (int strip = 0; strip < nc; strip += NR) {
            int cols = Math.min(NR, nc - strip);
            int dst = strip * kc;
            if (b.transposed() && cols == NR) {
                // op(B)(p, j) = B[j][p]: a transpose. Eight stored rows are read side by side, each
                // front to back, and written eight columns at a time (16% faster than one by one).
                for (int col = 0; col < NR; col += 8) {
                    int from0 = b.offset() + (j0 + strip + col) * ld + p0;
                    int from1 = from0 + ld;
                    int from2 = from1 + ld;
                    int from3 = from2 + ld;
                    int from4 = from3 + ld;
                    int from5 = from4 + ld;
                    int from6 = from5 + ld;
                    int from7 = from6 + ld;
                    for (int p = 0, to = dst + col; p < kc; p++, to += NR) {
                        packed[to] = src[from0 + p];
                        packed[to + 1] = src[from1 + p];
                        packed[to + 2] = src[from2 + p];
                        packed[to + 3] = src[from3 + p];
                        packed[to + 4] = src[from4 + p];
                        packed[to + 5] = src[from5 + p];
                        packed[to + 6] = src[from6 + p];
                        packed[to + 7] = src[from7 + p];
                    }
                }
            } else if (b.transposed()) {
                for (int col = 0; col < NR; col++) {
                    int from = b.offset() + (j0 + strip + col) * ld + p0;
                    for (int p = 0; p < kc; p++) {
                        packed[dst + p * NR + col] = col < cols ? src[from + p] : 0f;
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int from = b.offset() + (p0 + p) * ld + j0 + strip;
                    int to = dst + p * NR;
                    FloatVector.fromArray(SPECIES, src, from).intoArray(packed, to);
                    FloatVector.fromArray(SPECIES, src, from + LANES).intoArray(packed, to + LANES);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int from = b.offset() + (p0 + p) * ld + j0 + strip;
                    int to = dst + p * NR;
                    for (int col = 0; col < NR; col++) {
                        packed[to + col] = col < cols ? src[from + col] : 0f;
                    }
                }
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
