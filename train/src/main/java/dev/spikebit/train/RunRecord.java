package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.Dataset;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What is left of a finished {@link ResumableRun} once its checkpoints are gone: {@code run.txt}
 * (what the run is) and {@code metrics.json} (every epoch, {@link MetricsFile}). These files are a
 * few kilobytes and are kept in git, where the checkpoints (megabytes, with optimizer state) are
 * not, so an experiment's table can be collected on a machine that never held the networks.
 *
 * <p>A record counts only when it is whole: {@code run.txt} of this very run and all of its
 * epochs. A folder with fewer epochs is an attempt that stopped before it finished and trains
 * again; a {@code metrics.json} that cannot be this run's record (not JSON, another configuration,
 * epochs out of order or beyond the budget, a missing or non-finite number) is refused with its
 * name rather than read into a row.
 */
public final class RunRecord {
    private static final List<String> MEASURED = List.of("trainLoss", "trainAccuracy", "testLoss", "testAccuracy");

    private RunRecord() {}

    /**
     * The epochs of the finished run recorded in {@code dir}, or null when {@code dir} holds no whole
     * record of it (then the run trains, and {@code log} says why when a record of it was there).
     * The arguments are those of {@link ResumableRun#train}, the auxiliary loss as its description;
     * the caller asks only when {@code dir} holds no checkpoint (with one, {@code ResumableRun}
     * reuses or resumes the run).
     *
     * @throws SpikebitException naming {@code metrics.json} when it belongs to this run's {@code
     *     run.txt} but cannot be its record
     */
    public static List<EpochMetrics> finished(
            TrainConfig config, String auxiliary, Dataset train, Dataset evaluation, Path dir, PrintStream log) {
        Path stampFile = dir.resolve(ResumableRun.STAMP_FILE);
        Path metrics = dir.resolve(MetricsFile.NAME);
        if (!Files.isRegularFile(stampFile)) {
            return null;
        }
        if (!ResumableRun.stamp(config, auxiliary, train, evaluation).equals(ResumableRun.readStamp(dir))) {
            log.printf(
                    "%s records a different run (%s differs); training from the start%n", dir, stampFile.getFileName());
            return null;
        }
        if (!Files.isRegularFile(metrics)) {
            log.printf(
                    "%s: %s but no %s (no epoch finished); training from the start%n",
                    dir, ResumableRun.STAMP_FILE, MetricsFile.NAME);
            return null;
        }
        List<EpochMetrics> epochs = read(metrics, config);
        if (epochs.size() < config.epochs()) {
            log.printf(
                    "%s holds %d of %d epochs and no checkpoint to resume from; training from the start%n",
                    metrics, epochs.size(), config.epochs());
            return null;
        }
        return epochs;
    }

    /** The epochs of {@code file}, checked against {@code config}: at most its epochs, numbered from 1. */
    static List<EpochMetrics> read(Path file, TrainConfig config) {
        try {
            if (!(Json.parse(Files.readString(file)) instanceof Map<?, ?> root)) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            if (!Json.parse(config.toJson()).equals(root.get("config"))) {
                throw new IllegalArgumentException("its \"config\" is not the one of " + ResumableRun.STAMP_FILE);
            }
            List<?> rows = JsonObject.of(root, "the file").array("epochs");
            if (rows == null || rows.size() > config.epochs()) {
                throw new IllegalArgumentException(
                        "it holds " + (rows == null ? "no" : rows.size()) + " epochs, the run has " + config.epochs());
            }
            List<EpochMetrics> epochs = new ArrayList<>();
            for (Object entry : rows) {
                int epoch = epochs.size() + 1;
                JsonObject row = JsonObject.of(entry, "epoch entry " + epochs.size());
                if (row.integer("epoch", 0) != epoch) {
                    throw new IllegalArgumentException("entry " + epochs.size() + " is not epoch " + epoch);
                }
                for (String field : MEASURED) {
                    double value = row.real(field, Double.NaN);
                    if (!Double.isFinite(value) || field.endsWith("Accuracy") && (value < 0 || value > 1)) {
                        throw new IllegalArgumentException("epoch " + epoch + " has no finite \"" + field + "\""
                                + (field.endsWith("Accuracy") ? " in [0, 1]" : ""));
                    }
                }
                epochs.add(EpochMetrics.fromJson(row));
            }
            return epochs;
        } catch (IOException e) {
            throw new SpikebitException(file + ": cannot be read (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(file + ": not the record of this run: " + e.getMessage()
                    + "; delete the folder's " + ResumableRun.STAMP_FILE + " to train the run again");
        }
    }
}
