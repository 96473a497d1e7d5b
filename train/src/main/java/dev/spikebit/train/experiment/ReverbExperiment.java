package dev.spikebit.train.experiment;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.report.LayerReport;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.ResumableRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ReverB-SNN comparison (docs/reverb.md): the same network, budget and seeds with binary or
 * real-valued spikes and full-precision, binary or binary-with-fixed-amplitude weights. Every row
 * is trained by the same code, deployed to its standard form and measured on test images. Each
 * row and seed trains in a directory of its own through {@link ResumableRun}, so running the same
 * command again continues an interrupted table and adding seeds reuses the rows already trained.
 */
public final class ReverbExperiment {
    /** A row of the table: its name and the two switches that define it. */
    public record Variant(String name, SpikeKind spikes, WeightKind weights) {}

    public static final List<Variant> ROWS = List.of(
            new Variant("FP-SNN", SpikeKind.BINARY, WeightKind.FP),
            new Variant("BSNN", SpikeKind.BINARY, WeightKind.BINARY),
            new Variant("ReverB, fixed alpha", SpikeKind.REAL, WeightKind.BINARY_FIXED_ALPHA),
            new Variant("ReverB", SpikeKind.REAL, WeightKind.BINARY),
            new Variant("real spikes, FP weights", SpikeKind.REAL, WeightKind.FP));

    private final List<Variant> rows;

    private final ExperimentSetup setup;

    /** @param rows the rows to train, in table order (all of {@link #ROWS} for the whole table) */
    public ReverbExperiment(ExperimentSetup setup, List<Variant> rows) {
        this.setup = setup;
        this.rows = List.copyOf(rows);
    }

    /**
     * Trains every (row, seed) run that has not finished, and does nothing else: what a cluster
     * task does for its row and seed. {@link #run} on the same output folder then reuses the
     * finished runs and deploys, measures and tabulates them once.
     */
    public void trainRuns() {
        for (Variant v : rows) {
            for (long seed : setup.seeds()) {
                train(v, seed);
            }
        }
    }

    private Path runDirectory(Variant v, long seed) {
        return setup.out().resolve(slug(v.name()) + "-seed" + seed);
    }

    /** Trains (or reuses) the run of row {@code v} with {@code seed}. */
    private ResumableRun.Result train(Variant v, long seed) {
        ModelSpec spec =
                ModelZoo.defaultSpec(setup.model()).withSpikes(v.spikes()).withWeights(v.weights());
        Path dir = runDirectory(v, seed);
        setup.log()
                .printf(
                        "%n== %s (spikes %s, weights %s), seed %d -> %s%n",
                        v.name(), v.spikes().id(), v.weights().id(), seed, dir);
        return setup.train(spec, seed, dir);
    }

    public List<ExperimentRow> run() throws java.io.IOException {
        List<ExperimentRow> table = new ArrayList<>();
        for (Variant v : rows) {
            List<Double> accuracies = new ArrayList<>();
            List<List<EpochMetrics>> curves = new ArrayList<>();
            ModelReport report = null;
            long bytes = 0;
            for (long seed : setup.seeds()) {
                Path dir = runDirectory(v, seed);
                var run = train(v, seed);
                SpikingClassifier net = run.model();
                curves.add(run.history());
                accuracies.add(run.finalAccuracy());
                if (report == null) {
                    net.eval();
                    Graph deployed = Reparameterizer.deploy(net);
                    Path file = dir.resolve("deployed.safetensors");
                    DeployedFormat.save(file, deployed);
                    bytes = Files.size(file);
                    report = ModelReport.measure(deployed, Samples.first(setup.test(), setup.measureImages()));
                }
            }
            double firing = report.layers().stream()
                    .filter(LayerReport::isNeuron)
                    .mapToDouble(LayerReport::firingRate)
                    .average()
                    .orElse(Double.NaN);
            table.add(ExperimentRow.of(
                    v.name(),
                    v.spikes().id(),
                    v.weights().id(),
                    accuracies,
                    report.bitsPerWeight(),
                    bytes,
                    firing,
                    report.macs(),
                    report.acs(),
                    report.energyPj(),
                    curves));
            ExperimentTable.write(
                    setup.out(),
                    "reverb-table",
                    "ReverB-SNN on " + setup.test().name(),
                    described(),
                    table,
                    setup.listener());
        }
        return table;
    }

    /**
     * The rows named by their slugs ({@code fp-snn}, {@code bsnn}, {@code reverb-fixed-alpha},
     * {@code reverb}, {@code real-spikes-fp-weights}), in table order.
     *
     * @throws SpikebitException naming the unknown slug and the known ones
     */
    public static List<Variant> rowsNamed(List<String> slugs) {
        List<String> known = ROWS.stream().map(v -> slug(v.name())).toList();
        for (String s : slugs) {
            if (!known.contains(s)) {
                throw new SpikebitException(
                        "--rows: unknown row \"" + s + "\"; the rows are " + String.join(", ", known));
            }
        }
        return ROWS.stream().filter(v -> slugs.contains(slug(v.name()))).toList();
    }

    /** The setup as the table states it. */
    private Map<String, Object> described() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", setup.model());
        s.put("epochs", setup.epochs());
        s.put("seeds", setup.seeds());
        s.put(
                "optimizer",
                "adam, lr " + setup.lr() + ", cosine, batch 64, T "
                        + ModelZoo.defaultSpec(setup.model()).timeSteps());
        s.put("train images", setup.train().size());
        s.put("test images", setup.test().size());
        s.put(
                "activity measured on",
                Math.min(setup.measureImages(), setup.test().size()) + " test images");
        return s;
    }

    public static String slug(String name) {
        return name.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }
}
