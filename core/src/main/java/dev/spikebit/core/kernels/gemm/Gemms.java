package dev.spikebit.core.kernels.gemm;

import dev.spikebit.core.SpikebitException;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the {@link Gemm} backend, once per run, from the system property {@value #PROPERTY}:
 * {@code auto} (the default, see {@link #auto()}), {@code blas}, {@code java}, or {@code naive}
 * (the reference, for tests).
 */
public final class Gemms {
    /** The system property that names the backend. */
    public static final String PROPERTY = "spikebit.gemm";
    /** The names {@link #of} and {@value #PROPERTY} accept. */
    public static final List<String> NAMES = List.of("auto", "blas", "java", "naive");

    private static final Gemm JAVA = new JavaGemm();
    private static final Gemm NAIVE = new NaiveGemm();

    private Gemms() {}

    /**
     * The backend chosen by {@value #PROPERTY}, decided on the first call.
     *
     * @throws SpikebitException if the property names no backend, or names {@code blas} and
     *                           OpenBLAS cannot be loaded
     */
    public static Gemm get() {
        if (Chosen.FAILURE != null) {
            throw new SpikebitException(Chosen.FAILURE.getMessage(), Chosen.FAILURE);
        }
        return Chosen.GEMM;
    }

    /**
     * The backend of the given name.
     *
     * @throws SpikebitException for a name not in {@link #NAMES}, or {@code blas} when OpenBLAS
     *                           cannot be loaded
     */
    public static Gemm of(String name) {
        return switch (name) {
            case "auto" -> auto();
            case "blas" -> BlasGemm.load();
            case "java" -> JAVA;
            case "naive" -> NAIVE;
            case null, default ->
                throw new SpikebitException("unknown GEMM backend '" + name + "' (system property " + PROPERTY
                        + "): expected one of " + String.join(", ", NAMES));
        };
    }

    /**
     * The Vector API kernel where the CPU has 512-bit vectors, else OpenBLAS (or the Java kernel
     * if OpenBLAS does not load, with one line on stderr saying why).
     *
     * <p>Why: with AVX-512 the Java kernel runs 287 GFLOP/s at 1024^3 on two threads against
     * OpenBLAS's 171 with the AVX2 kernels this environment selects ({@code OPENBLAS_CORETYPE}),
     * and it runs on spikebit's own pool, so it never competes with it: OpenBLAS's worker threads
     * spin after each call, and on a loaded machine its throughput collapsed to 2-25 GFLOP/s while
     * the Java kernel kept 14-157 (docs/gemm.md). Training fmnist-cnn cost 2.1 CPU-ms per image
     * with the Java kernel against 7-16 with OpenBLAS in the same period. With 256-bit vectors
     * OpenBLAS's kernels are about twice as fast as the Java kernel (docs/gemm.md), so it
     * stays the default there. The choice depends only on the hardware and the JVM's vector width,
     * never on a timing, so two runs on one machine always get the same backend.
     */
    private static Gemm auto() {
        if (jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512) {
            return JAVA;
        }
        try {
            return BlasGemm.load();
        } catch (SpikebitException e) {
            System.err.println("spikebit: GEMM on the Java Vector API kernel, not OpenBLAS: " + e.getMessage());
            return JAVA;
        }
    }

    /**
     * The name of the backend {@code auto} picks on this machine ({@code java} or {@code blas}),
     * without failing when OpenBLAS does not load.
     */
    public static String autoName() {
        if (jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512) {
            return JAVA.name();
        }
        try {
            return BlasGemm.load().name();
        } catch (SpikebitException e) {
            return JAVA.name();
        }
    }

    /**
     * Holds the choice, made when {@link #get()} is first called. A failure is kept and rethrown
     * on every call, so a wrong property fails each time with the same clear message.
     */
    private static final class Chosen {
        private static final Gemm GEMM;
        private static final SpikebitException FAILURE;

        static {
            Gemm gemm = null;
            SpikebitException failure = null;
            try {
                gemm = of(System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT));
            } catch (SpikebitException e) {
                failure = e;
            }
            GEMM = gemm;
            FAILURE = failure;
        }
    }
}
