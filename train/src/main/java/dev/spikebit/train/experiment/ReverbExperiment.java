package dev.spikebit.train.experiment;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.report.LayerReport;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.ResumableRun;
import dev.spikebit.train.TrainConfig;
import java.io.PrintStream;
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
    public record Variant(String name, String spikes, String weights) {}

    public static final List<Variant> ROWS = List.of(
            new Variant("FP-SNN", "binary", "fp"),
            new Variant("BSNN", "binary", "binary"),
            new Variant("ReverB, fixed alpha", "real", "binary-fixed-alpha"),
            new Variant("ReverB", "real", "binary"),
            new Variant("real spikes, FP weights", "real", "fp"));

    private final String model;
    private final List<Variant> rows;
    private final int epochs;
    private final List<Long> seeds;
    private final float lr;
    private final Dataset train;
    private final Dataset test;
    private final Path out;
    private final PrintStream log;
    private final ExperimentListener listener;
    private final int measureImages;

    /** @param rows the rows to train, in table order (all of {@link #ROWS} for the whole table) */
    public ReverbExperiment(
            String model,
            List<Variant> rows,
            int epochs,
            List<Long> seeds,
            float lr,
            Dataset train,
            Dataset test,
            Path out,
            PrintStream log,
            ExperimentListener listener,
            int measureImages) {
        this.model = model;
        this.rows = List.copyOf(rows);
        this.epochs = epochs;
        this.seeds = List.copyOf(seeds);
        this.lr = lr;
        this.train = train;
        this.test = test;
        this.out = out;
        this.log = log;
        this.listener = listener == null ? ExperimentListener.NONE : listener;
        this.measureImages = measureImages;
    }

    /**
     * Trains every (row, seed) run that has not finished, and does nothing else: what a cluster
     * task does for its row and seed. {@link #run} on the same output folder then reuses the
     * finished runs and deploys, measures and tabulates them once.
     */
    public void trainRuns() {
        for (Variant v : rows) {
            for (long seed : seeds) {
                train(v, seed);
            }
        }
    }

    private Path runDirectory(Variant v, long seed) {
        return out.resolve(slug(v.name()) + "-seed" + seed);
    }

    /** Trains (or reuses) the run of row {@code v} with {@code seed}. */
    private ResumableRun.Result train(Variant v, long seed) {
        ModelSpec spec = ModelZoo.defaultSpec(model).withSpikes(v.spikes()).withWeights(v.weights());
        TrainConfig config =
                TrainConfig.builder(spec).epochs(epochs).lr(lr).seed(seed).build();
        Path dir = runDirectory(v, seed);
        log.printf("%n== %s (spikes %s, weights %s), seed %d -> %s%n", v.name(), v.spikes(), v.weights(), seed, dir);
        return ResumableRun.train(config, QuantModels.build(spec, seed), null, train, test, dir, log, listener);
    }

    public List<ExperimentRow> run() throws java.io.IOException {
        List<ExperimentRow> table = new ArrayList<>();
        for (Variant v : rows) {
            List<Double> accuracies = new ArrayList<>();
            List<List<EpochMetrics>> curves = new ArrayList<>();
            ModelReport report = null;
            long bytes = 0;
            for (long seed : seeds) {
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
                    report = ModelReport.measure(deployed, Samples.first(test, measureImages));
                }
            }
            double firing = report.layers().stream()
                    .filter(LayerReport::isNeuron)
                    .mapToDouble(LayerReport::firingRate)
                    .average()
                    .orElse(Double.NaN);
            table.add(ExperimentRow.of(
                    v.name(),
                    v.spikes(),
                    v.weights(),
                    accuracies,
                    report.bitsPerWeight(),
                    bytes,
                    firing,
                    report.macs(),
                    report.acs(),
                    report.energyPj(),
                    curves));
            ExperimentTable.write(out, "reverb-table", "ReverB-SNN on " + test.name(), setup(), table, listener);
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

    private Map<String, Object> setup() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", model);
        s.put("epochs", epochs);
        s.put("seeds", seeds);
        s.put(
                "optimizer",
                "adam, lr " + lr + ", cosine, batch 64, T "
                        + ModelZoo.defaultSpec(model).timeSteps());
        s.put("train images", train.size());
        s.put("test images", test.size());
        s.put("activity measured on", Math.min(measureImages, test.size()) + " test images");
        return s;
    }

    public static String slug(String name) {
        return name.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }
}
