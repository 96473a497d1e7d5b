package dev.spikebit.core.kernels.gemm;

import dev.spikebit.core.SpikebitException;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the {@link Gemm} backend, once per run, from the system property {@value #PROPERTY}:
 * {@code auto} (the default: OpenBLAS if its native library loads, else the Vector API kernel,
 * with one line on stderr saying why), {@code blas}, {@code java}, or {@code naive} (the
 * reference, for tests).
 */
public final class Gemms {
    /** The system property that names the backend. */
    public static final String PROPERTY = "spikebit.gemm";
    /** The names {@link #of} and {@value #PROPERTY} accept. */
    public static final List<String> NAMES = List.of("auto", "blas", "java", "naive");

    private static final Gemm JAVA = new JavaGemm();
    private static final Gemm NAIVE = new NaiveGemm();

    private Gemms() {
    }

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
            case null, default -> throw new SpikebitException("unknown GEMM backend '" + name + "' (system property "
                    + PROPERTY + "): expected one of " + String.join(", ", NAMES));
        };
    }

    private static Gemm auto() {
        try {
            return BlasGemm.load();
        } catch (SpikebitException e) {
            System.err.println("spikebit: GEMM on the Java Vector API kernel, not OpenBLAS: " + e.getMessage());
            return JAVA;
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
