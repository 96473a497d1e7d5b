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
 * SGEMM by OpenBLAS ({@code cblas_sgemm}), the default backend.
 *
 * <p>The library comes from the JavaCPP presets ({@code org.bytedeco:openblas}, natives inside the
 * Maven jar, nothing downloaded at run time); JavaCPP extracts and loads it, and sets its thread
 * count to {@link Parallel#threads()}. The call itself goes through the Foreign Function API as a
 * <em>critical</em> downcall with heap access: OpenBLAS reads and writes the {@code float[]}
 * arrays in place. The alternatives copy: JavaCPP's {@code float[]} overload copies every array in
 * and out (3-4x slower on the convolution shapes), and copying into reused off-heap buffers costs
 * 20-40% there. The price of zero copies is that this thread cannot reach a safepoint during the
 * call, so a garbage collection requested meanwhile waits for the multiply to finish (milliseconds
 * for the training shapes). OpenBLAS calls no Java code, which is what a critical downcall
 * requires.
 *
 * <p>OpenBLAS picks its kernels for the CPU when it loads (the AVX-512 "Cooperlake" kernels on
 * Zen 5) unless the environment variable {@code OPENBLAS_CORETYPE} names others: {@code Haswell}
 * (AVX2) there runs at half the speed. See {@code docs/gemm.md}.
 *
 * <p>{@link GemmArguments#check} runs before every call: native code reading past an array would
 * not throw.
 */
public final class BlasGemm implements Gemm {
    private static final BlasGemm INSTANCE = new BlasGemm();

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

    @Override
    public String name() {
        return "blas";
    }

    /** The address of {@code data[offset]} as the native call sees it. */
    private static MemorySegment at(float[] data, int offset) {
        return MemorySegment.ofArray(data).asSlice(offset * (long) Float.BYTES);
    }

    /** Loads OpenBLAS once, when {@link #load()} is first called; records why if it cannot. */
    // Linker.downcallHandle is a restricted method: the launcher and the tests grant native access
    // (--enable-native-access=ALL-UNNAMED), which is the point of this backend.
    @SuppressWarnings("restricted")
    private static final class Library {
        static final MethodHandle SGEMM;
        static final String FAILURE;

        static {
            MethodHandle sgemm = null;
            String failure = null;
            try {
                // openblas_nolapack links the same libopenblas as the full preset, with 0.3 MB of
                // JNI glue instead of 24 MB.
                Loader.load(openblas_nolapack.class);
                openblas_nolapack.blas_set_num_threads(Parallel.threads());
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
        }
    }
}
