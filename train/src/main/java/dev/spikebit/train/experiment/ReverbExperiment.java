package dev.spikebit.train.experiment;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.train.ResumableRun;
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
     * task does for its row and seed. With {@code measure}, the first seed's run of each row is
     * also deployed and measured as {@link #run} would, and the measurement is kept in its folder
     * ({@link RowMeasurement}). {@link #run} on the same output folder then reuses the finished
     * runs and their measurements and only tabulates them.
     */
    public void trainRuns(boolean measure) throws java.io.IOException {
        for (Variant v : rows) {
            for (long seed : setup.seeds()) {
                var run = train(v, seed);
                if (measure && seed == setup.seeds().getFirst()) {
                    RowMeasurement.of(run, runDirectory(v, seed), setup.test(), setup.measureImages());
                }
            }
        }
    }

    private Path runDirectory(Variant v, long seed) {
        return setup.runDirectory(slug(v.name()), seed);
    }

    /** Trains (or reuses) the run of row {@code v} with {@code seed}. */
    private ExperimentSetup.Trained train(Variant v, long seed) {
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
            RowRuns row = new RowRuns(v.name(), v.spikes().id(), v.weights().id(), setup);
            for (long seed : setup.seeds()) {
                row.add(seed, train(v, seed), runDirectory(v, seed));
            }
            table.add(row.row());
            ExperimentTable.write(
                    setup.out(),
                    "reverb-table",
                    "ReverB-SNN on " + setup.test().name(),
                    described(),
                    table,
                    claims(table),
                    setup.listener());
        }
        return table;
    }

    /**
     * The paper's claims among the rows present: ReverB beats BSNN, the trained amplitude is at
     * least as good as the fixed one, ReverB is within 1 point of the full-precision SNN.
     */
    static List<PairedClaim> claims(List<ExperimentRow> table) {
        Map<String, ExperimentRow> byName = new LinkedHashMap<>();
        table.forEach(r -> byName.put(r.name(), r));
        List<PairedClaim> claims = new ArrayList<>();
        ExperimentRow reverb = byName.get("ReverB");
        ExperimentRow fixed = byName.get("ReverB, fixed alpha");
        ExperimentRow bsnn = byName.get("BSNN");
        ExperimentRow fp = byName.get("FP-SNN");
        if (reverb != null && bsnn != null) {
            claims.add(PairedClaim.of("ReverB >= BSNN (real-valued spikes help binary weights)", reverb, bsnn, 0));
        }
        if (fixed != null && bsnn != null) {
            claims.add(PairedClaim.of("ReverB with fixed alpha >= BSNN", fixed, bsnn, 0));
        }
        if (reverb != null && fixed != null) {
            claims.add(PairedClaim.of("trained alpha >= fixed alpha", reverb, fixed, 0));
        }
        if (reverb != null && fp != null) {
            claims.add(PairedClaim.of("ReverB within 1 point of FP-SNN (ReverB >= FP-SNN - 1)", reverb, fp, 0.01));
        }
        return claims;
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
        s.put("optimizer", setup.optimizerText());
        setup.describeData(s);
        return s;
    }

    public static String slug(String name) {
        return name.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }
}
