package dev.spikebit.train.experiment;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.report.LayerReport;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

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
    private ModelReport report;
    private long bytes;
    private Graph deployed;

    RowRuns(String name, String spikes, String weights, ExperimentSetup setup) {
        this.name = name;
        this.spikes = spikes;
        this.weights = weights;
        this.setup = setup;
    }

    /** Adds a finished run; the first one is deployed into {@code dir} and measured. */
    void add(long seed, ExperimentSetup.Trained run, Path dir) throws IOException {
        seeds.add(seed);
        accuracies.add(run.testAccuracy());
        validation.add(run.validationAccuracy());
        curves.add(run.history());
        if (report == null) {
            SpikingClassifier net = run.model();
            net.eval();
            deployed = Reparameterizer.deploy(net);
            Path file = dir.resolve("deployed.safetensors");
            DeployedFormat.save(file, deployed);
            bytes = Files.size(file);
            int n = Math.min(setup.measureImages(), setup.test().size());
            report = ModelReport.measure(deployed, Samples.first(setup.test(), n));
        }
    }

    boolean isEmpty() {
        return seeds.isEmpty();
    }

    /** A measure of the first run's deployed graph, 0 before any run. */
    long ofDeployed(ToLongFunction<Graph> measure) {
        return deployed == null ? 0 : measure.applyAsLong(deployed);
    }

    ExperimentRow row() {
        double firing = report.layers().stream()
                .filter(LayerReport::isNeuron)
                .mapToDouble(LayerReport::firingRate)
                .average()
                .orElse(Double.NaN);
        return ExperimentRow.of(
                name,
                spikes,
                weights,
                seeds,
                accuracies,
                validation,
                report.bitsPerWeight(),
                bytes,
                firing,
                report.macs(),
                report.acs(),
                report.energyPj(),
                curves);
    }
}
