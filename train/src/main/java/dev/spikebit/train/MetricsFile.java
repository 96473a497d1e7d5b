package dev.spikebit.train;

import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.core.kernels.ComputeEnvironment;
import dev.spikebit.runtime.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.json}: the run's configuration, the compute environment its numbers depend on
 * (GEMM backend, threads, JDK, CPU features) and one row per epoch, rewritten atomically each epoch.
 * Attached to a {@link Trainer} as a listener, it keeps the file in the run's directory.
 */
public final class MetricsFile implements TrainingListener {
    /** The file's name in a run's directory. */
    public static final String NAME = "metrics.json";

    @Override
    public void epochFinished(EpochEnd end) {
        write(end.outDir().resolve(NAME), end.config(), ComputeEnvironment.current(), end.history());
    }

    public static void write(Path path, TrainConfig config, ComputeEnvironment environment, List<EpochMetrics> epochs) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("config", config.json());
        root.put("environment", environment.json());
        root.put("epochs", epochs.stream().map(EpochMetrics::json).toList());
        AtomicFiles.writeString(path, Json.writeIndented(root));
    }
}
