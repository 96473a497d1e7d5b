package dev.spikebit.core.kernels.gemm;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.kernels.Parallel;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * SGEMM by OpenBLAS ({@code cblas_sgemm}).
 *
 * <p>The library comes from the JavaCPP presets ({@code org.bytedeco:openblas}, natives inside the
 * Maven jar, nothing downloaded at run time); JavaCPP extracts and loads it. The call itself goes
 * through the Foreign Function API as a <em>critical</em> downcall with heap access: OpenBLAS reads
 * and writes the {@code float[]} arrays in place. The alternatives copy: JavaCPP's {@code float[]}
 * overload copies every array in and out (3-4x slower on the convolution shapes), and copying into
 * reused off-heap buffers costs 20-40% there. The price of zero copies is that this thread cannot
 * reach a safepoint during the call, so a garbage collection requested meanwhile waits for the
 * multiply to finish (milliseconds for the training shapes). OpenBLAS calls no Java code, which is
 * what a critical downcall requires.
 *
 * <p><b>Threads and repeatability.</b> OpenBLAS runs single-threaded; the parallelism is spikebit's
 * own: {@code C} is cut into at most {@link Parallel#threads()} blocks of whole rows or whole
 * columns (whichever side is longer), a cut that depends only on the shape and the thread count,
 * and each block is one single-threaded {@code cblas_sgemm} on the shared pool. The depth {@code k}
 * is never split, so every element of {@code C} is summed by one call in one fixed order and the
 * result cannot depend on which thread finishes first. OpenBLAS's own threading gave results that
 * changed from run to run (training twice with one seed ended in different weights); its spinning
 * worker threads also took CPU from the pool's other kernels.
 *
 * <p>OpenBLAS picks its kernels for the CPU when it loads (the AVX-512 "Cooperlake" kernels on
 * Zen 5) unless the environment variable {@code OPENBLAS_CORETYPE} names others: {@code Haswell}
 * (AVX2) there runs at half the speed. {@link #coreName()} tells which. See {@code docs/gemm.md}.
 *
 * <p>{@link GemmArguments#check} runs before every call: native code reading past an array would
 * not throw.
 */
public final class BlasGemm implements Gemm {
    private static final BlasGemm INSTANCE = new BlasGemm();
    /** Below this many flops per part a hand-off to another thread costs more than it saves. */
    private static final double MIN_FLOPS_PER_PART = 4e6;
    /**
     * Blocks of {@code C} start at multiples of this many rows or columns, so that each block
     * keeps whole register tiles of OpenBLAS's kernels (16 columns with AVX2, up to 32 with AVX-512).
     */
    private static final int BLOCK = 32;

    private BlasGemm() {}

    /**
     * The OpenBLAS backend, loading the library on first use.
     *
     * @throws SpikebitException if the native library cannot be loaded on this platform
     */
    public static BlasGemm load() {
        if (Library.SGEMM == null) {
            throw new SpikebitException("OpenBLAS could not be loaded: " + Library.FAILURE);
        }
        return INSTANCE;
    }

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
        int parts = (int) Math.clamp(2.0 * m * n * k / MIN_FLOPS_PER_PART, 1, Parallel.threads());
        if (parts == 1) {
            call(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        } else if (n >= m) {
            // Columns [j0, j1) of C need columns [j0, j1) of op(B): stored columns, or stored rows when transposed.
            int tiles = ceilDiv(n, BLOCK);
            Parallel.range(tiles, ceilDiv(tiles, parts), (from, to) -> {
                int j0 = from * BLOCK;
                int cols = Math.min(n, to * BLOCK) - j0;
                int bStart = bOffset + (transB ? j0 * ldb : j0);
                call(transA, transB, m, cols, k, alpha, a, aOffset, lda, b, bStart, ldb, beta, c, cOffset + j0, ldc);
            });
        } else {
            // Rows [i0, i1) of C need rows [i0, i1) of op(A): stored rows, or stored columns when transposed.
            int tiles = ceilDiv(m, BLOCK);
            Parallel.range(tiles, ceilDiv(tiles, parts), (from, to) -> {
                int i0 = from * BLOCK;
                int rows = Math.min(m, to * BLOCK) - i0;
                int aStart = aOffset + (transA ? i0 : i0 * lda);
                call(
                        transA,
                        transB,
                        rows,
                        n,
                        k,
                        alpha,
                        a,
                        aStart,
                        lda,
                        b,
                        bOffset,
                        ldb,
                        beta,
                        c,
                        cOffset + i0 * ldc,
                        ldc);
            });
        }
    }

    /** One single-threaded {@code cblas_sgemm} on arguments already checked. */
    private static void call(
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
        try {
            Library.SGEMM.invokeExact(
                    openblas_nolapack.CblasRowMajor,
                    transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    m,
                    n,
                    k,
                    alpha,
                    at(a, aOffset),
                    lda,
                    at(b, bOffset),
                    ldb,
                    beta,
                    at(c, cOffset),
                    ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }

    /**
     * The kernel family OpenBLAS chose for this CPU ({@code openblas_get_corename}), "Haswell" or
     * "Cooperlake" say: results depend on it, so runs record it.
     */
    public static String coreName() {
        load();
        return Library.CORE_NAME;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public String name() {
        return "blas";
    }

    /** The address of {@code data[offset]} as the native call sees it. */
    private static MemorySegment at(float[] data, int offset) {
        return MemorySegment.ofArray(data).asSlice(offset * (long) Float.BYTES);
    }

    /** {@code char *openblas_get_corename(void)}, through the loaded library. */
    private static String queryCoreName() {
        Pointer symbol = Loader.addressof("openblas_get_corename");
        if (symbol == null || symbol.isNull()) {
            return "unknown";
        }
        MethodHandle handle = Linker.nativeLinker()
                .downcallHandle(MemorySegment.ofAddress(symbol.address()), FunctionDescriptor.of(ValueLayout.ADDRESS));
        try {
            MemorySegment name = (MemorySegment) handle.invokeExact();
            return name.equals(MemorySegment.NULL)
                    ? "unknown"
                    : name.reinterpret(64).getString(0).trim();
        } catch (Throwable e) {
            return "unknown (" + e + ")";
        }
    }

    /** Loads OpenBLAS once, when {@link #load()} is first called; records why if it cannot. */
    // Linker.downcallHandle is a restricted method: the launcher and the tests grant native access
    // (--enable-native-access=ALL-UNNAMED), which is the point of this backend.
    @SuppressWarnings("restricted")
    private static final class Library {
        static final MethodHandle SGEMM;
        static final String FAILURE;
        static final String CORE_NAME;

        static {
            MethodHandle sgemm = null;
            String failure = null;
            String coreName = "unknown";
            try {
                // openblas_nolapack links the same libopenblas as the full preset, with 0.3 MB of
                // JNI glue instead of 24 MB.
                Loader.load(openblas_nolapack.class);
                // One thread: spikebit splits the work itself, in a fixed way (see the class comment).
                openblas_nolapack.blas_set_num_threads(1);
                coreName = queryCoreName();
                Pointer symbol = Loader.addressof("cblas_sgemm");
                if (symbol == null || symbol.isNull()) {
                    failure = "the library has no symbol cblas_sgemm";
                } else {
                    var i32 = ValueLayout.JAVA_INT;
                    var f32 = ValueLayout.JAVA_FLOAT;
                    var ptr = ValueLayout.ADDRESS;
                    // void cblas_sgemm(order, transA, transB, m, n, k, alpha, *a, lda, *b, ldb, beta, *c, ldc)
                    var signature = FunctionDescriptor.ofVoid(
                            i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32);
                    sgemm = Linker.nativeLinker()
                            .downcallHandle(
                                    MemorySegment.ofAddress(symbol.address()), signature, Linker.Option.critical(true));
                }
            } catch (LinkageError | RuntimeException e) {
                failure = e.toString();
            }
            SGEMM = sgemm;
            FAILURE = failure;
            CORE_NAME = coreName;
        }
    }
}
