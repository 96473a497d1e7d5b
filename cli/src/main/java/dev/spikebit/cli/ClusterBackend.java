package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The work the commands hand to a cluster when {@code --spark} is given. The {@code spark} module
 * implements it; the cli finds it through {@link ServiceLoader} and never names a Spark class, so a
 * command without {@code --spark} loads no Spark code (the launcher puts the Spark jars on the
 * class path only for {@code --spark}).
 */
public interface ClusterBackend {
    /** A unit of work that runs on an executor: serialized there and run once, or again after a failure. */
    interface Task extends Serializable {
        /** A short name for logs. */
        String name();

        /** Does the work; must be safe to run again after an interrupted attempt. */
        void run() throws Exception;
    }

    /**
     * Runs the deployed model {@code model} over {@code count} images ({@code pixels} holds them one
     * after the other) in batches of {@code batch}, the batches spread over the cluster, the model
     * sent once to every executor.
     *
     * @return one inference per batch, in image order, as {@code Model.infer} returns them
     */
    List<Inference> infer(String master, Path model, float[] pixels, int count, int batch, ExecutionPath path);

    /** Runs every task as one cluster task and returns when all have succeeded (failed ones are retried). */
    void runAll(String master, String jobName, List<? extends Task> tasks);

    /**
     * The backend on the class path.
     *
     * @throws SpikebitException when there is none (spikebit was started without the spark module)
     */
    static ClusterBackend load() {
        return ServiceLoader.load(ClusterBackend.class)
                .findFirst()
                .orElseThrow(() -> new SpikebitException("--spark: the spark module is not on the class path; "
                        + "run through the ./spikebit launcher, which adds it when --spark is given"));
    }
}
