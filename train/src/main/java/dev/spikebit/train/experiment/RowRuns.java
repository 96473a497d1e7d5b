package dev.spikebit.train.experiment;

import dev.spikebit.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runs of one table row as they finish, seed by seed: their accuracies and curves, and the
 * first run's deployed network (written beside the run, measured on test images) for the row's
 * size, activity and energy.
 */
final class RowRuns {
    final String name;
    private final String spikes;
    private final String weights;
    private final ExperimentSetup setup;
    private final List<Long> seeds = new ArrayList<>();
    private final List<Double> accuracies = new ArrayList<>();
    private final List<Double> validation = new ArrayList<>();
    private final List<List<EpochMetrics>> curves = new ArrayList<>();
    private final boolean measure;
    private RowMeasurement measured;

    RowRuns(String name, String spikes, String weights, ExperimentSetup setup) {
        this(name, spikes, weights, setup, true);
    }

    /** @param measure whether the first run is deployed and measured (off: a cluster task of a later seed) */
    RowRuns(String name, String spikes, String weights, ExperimentSetup setup, boolean measure) {
        this.name = name;
        this.spikes = spikes;
        this.weights = weights;
        this.setup = setup;
        this.measure = measure;
    }

    /** Adds a finished run; the first one is deployed into {@code dir} and measured. */
    void add(long seed, ExperimentSetup.Trained run, Path dir) throws IOException {
        seeds.add(seed);
        accuracies.add(run.testAccuracy());
        validation.add(run.validationAccuracy());
        curves.add(run.history());
        if (measured == null && measure) {
            // kept in the run folder, so a reused run is not measured again (RowMeasurement)
            measured = RowMeasurement.of(run, dir, setup.test(), setup.measureImages());
        }
    }

    boolean isEmpty() {
        return seeds.isEmpty();
    }

    /** The deployed bytes of the first run's eligible layers (RowMeasurement#eligibleBytes), 0 before any run. */
    long eligibleBytes() {
        return measured == null ? 0 : measured.eligibleBytes();
    }

    ExperimentRow row() {
        return ExperimentRow.of(
                name,
                spikes,
                weights,
                seeds,
                accuracies,
                validation,
                measured.bitsPerWeight(),
                measured.deployedBytes(),
                measured.firingRate(),
                measured.macs(),
                measured.acs(),
                measured.energyPj(),
                curves);
    }
}
