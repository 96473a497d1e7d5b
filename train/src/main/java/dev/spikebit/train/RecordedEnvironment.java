package dev.spikebit.train;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.kernels.ComputeEnvironment;
import dev.spikebit.core.kernels.gemm.Gemms;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * Resuming in the compute environment a checkpoint was trained in. A run continues bitwise only
 * on the same GEMM backend and thread count, so {@code --resume} takes both from the checkpoint
 * unless the command line names them ({@code -Dspikebit.gemm}, {@code -Dspikebit.threads} or
 * {@code SPIKEBIT_THREADS}), and says what differs from the recorded environment.
 */
public final class RecordedEnvironment {
    static final String THREADS_PROPERTY = "spikebit.threads";
    static final String THREADS_VARIABLE = "SPIKEBIT_THREADS";

    private RecordedEnvironment() {}

    /**
     * Chooses the checkpoint's backend and thread count for this process, where not chosen
     * explicitly. Must run before the first GEMM and the first parallel kernel, which fix both.
     */
    public static void adopt(Checkpoint checkpoint, PrintStream log) {
        Optional<ComputeEnvironment> saved = checkpoint.environment();
        if (saved.isEmpty()) {
            log.printf("%s records no compute environment: resuming on this machine's choice%n", checkpoint.source());
            return;
        }
        ComputeEnvironment recorded = saved.get();
        if (System.getProperty(Gemms.PROPERTY) == null) {
            System.setProperty(Gemms.PROPERTY, recorded.gemm());
        }
        if (System.getProperty(THREADS_PROPERTY) == null && System.getenv(THREADS_VARIABLE) == null) {
            System.setProperty(THREADS_PROPERTY, Integer.toString(recorded.threads()));
        }
        report(recorded, ComputeEnvironment.current(), checkpoint.source().toString(), log);
    }

    /** Says which backend the run continues on and what differs from where it was trained. */
    static void report(ComputeEnvironment recorded, ComputeEnvironment now, String source, PrintStream log) {
        if (now.gemm().equals(recorded.gemm()) && !now.gemm().equals(now.gemmAuto())) {
            log.printf(
                    "resuming on the recorded GEMM backend %s (this machine would pick %s)%n",
                    recorded.gemm(), now.gemmAuto());
        }
        List<String> differences = recorded.differencesFrom(now);
        if (!differences.isEmpty()) {
            log.printf(
                    "%s was trained with %s: the continuation will not be bitwise identical to an uninterrupted run%n",
                    source, String.join(", ", differences));
        }
    }
}
