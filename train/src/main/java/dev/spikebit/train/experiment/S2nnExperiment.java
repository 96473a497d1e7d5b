package dev.spikebit.train.experiment;

import dev.spikebit.core.Named;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.distill.MembraneDistillation;
import dev.spikebit.train.KeptNetwork;
import dev.spikebit.train.subbit.Compression;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The S2NN comparison (docs/methods.md 3, docs/s2nn.md): per seed, a full-precision network and a
 * binary network are trained, then the binary network is compressed to sub-bit weights for each
 * {@code eta} and each variant (baseline nearest-codeword selection, OS-Quant, OS-Quant with MPFD
 * from a teacher at each MPFD weight lambda) and fine-tuned. So that no row wins by training
 * longer, the binary network is also fine-tuned for the same epochs with the same settings ({@code
 * BSNN +N epochs}), the reference the sub-bit rows are judged against. Every row is deployed and
 * measured. With several lambdas the experiment chooses one per teacher on the validation
 * accuracy (never the test accuracy) and checks the paper's claims at it and at the default 1000,
 * paired by seed. Every network trains in a directory of its own through {@code ResumableRun}:
 * running the command again continues an interrupted table, and more seeds reuse what is trained.
 */
public final class S2nnExperiment {
    /** A sub-bit variant: OS-Quant selection and MPFD distillation on or off. */
    public record Variant(String name, boolean osQuant, boolean mpfd) {}

    public static final List<Variant> VARIANTS = List.of(
            new Variant("baseline", false, false),
            new Variant("+OS-Quant", true, false),
            new Variant("+OS-Quant+MPFD", true, true));

    /** The network MPFD distills from. */
    public enum Teacher implements Named {
        /** The seed's full-precision network (binary spikes, float weights): the paper's choice. */
        FP("fp"),
        /** The seed's binary network, the one the sub-bit networks start from. */
        BINARY("binary"),
        /** A ReverB network of the seed (real-valued spikes, binary weights), trained for the purpose. */
        REVERB("reverb");

        private final String id;

        Teacher(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /**
     * What the table holds besides the setup (serializable: a cluster task carries its seed's plan).
     *
     * @param etas           the codebook sizes of the table
     * @param everySeedEtas  the etas whose rows are trained for every seed; the other etas' rows
     *                       only for the first seed (a cheaper table with the spread where it matters)
     * @param lambdas        the MPFD weights tried; with more than one, the setup needs a validation set
     * @param teachers       the MPFD teachers tried
     * @param fineTuneEpochs epochs of every fine-tuning from the binary network (sub-bit rows and the
     *                       binary reference alike)
     * @param reverbRow      whether to train and show a ReverB network of each seed (always with a ReverB teacher)
     */
    public record Plan(
            List<Integer> etas,
            List<Integer> everySeedEtas,
            List<Float> lambdas,
            List<Teacher> teachers,
            int fineTuneEpochs,
            boolean reverbRow)
            implements Serializable {
        public Plan {
            etas = List.copyOf(etas);
            everySeedEtas = List.copyOf(everySeedEtas);
            lambdas = List.copyOf(lambdas);
            teachers = List.copyOf(teachers);
            for (int eta : etas) {
                if (eta < 1 || eta > 8) {
                    throw new SpikebitException("eta must be in 1..8, got " + eta);
                }
            }
            if (lambdas.isEmpty() || teachers.isEmpty()) {
                throw new SpikebitException("the S2NN table needs at least one MPFD lambda and one teacher");
            }
            if (fineTuneEpochs < 1) {
                throw new SpikebitException("the fine-tuning epochs must be >= 1, got " + fineTuneEpochs);
            }
        }

        /** The table of the paper: these etas for every seed, lambda 1000 from the FP network, as many epochs as the networks. */
        public static Plan of(List<Integer> etas, int fineTuneEpochs) {
            return new Plan(
                    etas,
                    etas,
                    List.of(MembraneDistillation.DEFAULT_LAMBDA),
                    List.of(Teacher.FP),
                    fineTuneEpochs,
                    false);
        }
    }

    private final ExperimentSetup setup;
    private final Plan plan;

    /** @throws SpikebitException with several lambdas and no validation set to choose among them */
    public S2nnExperiment(ExperimentSetup setup, Plan plan) {
        if (plan.lambdas().size() > 1 && setup.validation() == null) {
            throw new SpikebitException(
                    "several MPFD lambdas " + plan.lambdas() + " need a validation set "
                            + "(--validation N): lambda is chosen on images held out of the training set, never on the test set");
        }
        this.setup = setup;
        this.plan = plan;
    }

    /** The rows of the table, filled seed by seed. */
    private final class Rows {
        final boolean measure;
        final RowRuns fp;
        final RowRuns binary;
        final RowRuns binaryLonger;
        final RowRuns reverb;
        final Map<String, RowRuns> subBit = new LinkedHashMap<>();

        /** @param measure whether each row's first run is deployed and measured */
        Rows(boolean measure) {
            this.measure = measure;
            fp = new RowRuns("FP-SNN", SpikeKind.BINARY.id(), WeightKind.FP.id(), setup, measure);
            binary = new RowRuns("BSNN", SpikeKind.BINARY.id(), WeightKind.BINARY.id(), setup, measure);
            binaryLonger = new RowRuns(
                    "BSNN +" + plan.fineTuneEpochs() + " epochs",
                    SpikeKind.BINARY.id(),
                    WeightKind.BINARY.id(),
                    setup,
                    measure);
            reverb = new RowRuns("ReverB", SpikeKind.REAL.id(), WeightKind.BINARY.id(), setup, measure);
            for (int eta : plan.etas()) {
                for (Variant v : VARIANTS) {
                    if (!v.mpfd()) {
                        put(eta, v, null, 0);
                        continue;
                    }
                    for (Teacher t : plan.teachers()) {
                        for (float lambda : plan.lambdas()) {
                            put(eta, v, t, lambda);
                        }
                    }
                }
            }
        }

        private void put(int eta, Variant v, Teacher t, float lambda) {
            String name = rowName(eta, v, t, lambda);
            subBit.put(name, new RowRuns(name, SpikeKind.BINARY.id(), "sub-bit eta " + eta, setup, measure));
        }

        List<ExperimentRow> table() {
            List<ExperimentRow> rows = new ArrayList<>();
            for (RowRuns r : List.of(fp, binary, binaryLonger, reverb)) {
                if (!r.isEmpty()) {
                    rows.add(r.row());
                }
            }
            subBit.values().stream().filter(r -> !r.isEmpty()).forEach(r -> rows.add(r.row()));
            return rows;
        }
    }

    /** The name of a sub-bit row; {@code teacher} and {@code lambda} only for the MPFD variant. */
    static String rowName(int eta, Variant v, Teacher teacher, float lambda) {
        String name = "sub-bit eta " + eta + " " + v.name();
        if (!v.mpfd()) {
            return name;
        }
        return name + (teacher == Teacher.FP ? "" : " (" + teacher.id() + " teacher)") + ", lambda "
                + lambdaText(lambda);
    }

    /** {@code 1000} for 1000.0, {@code 0.5} for 0.5. */
    static String lambdaText(float lambda) {
        return lambda == Math.rint(lambda) ? Long.toString((long) lambda) : Float.toString(lambda);
    }

    /** Trains, deploys and measures every network of the table and writes the table after each seed. */
    public List<ExperimentRow> run() throws IOException {
        return runs(true, true);
    }

    /**
     * Trains every network of the table that has not finished, and writes no table: what a cluster
     * task does for its seed. With {@code measure}, each row's first run is also deployed and
     * measured as {@link #run} would, and the measurement is kept in its folder ({@link
     * RowMeasurement}); {@link #run} on the same output folder then reuses the runs and their
     * measurements and only tabulates them.
     */
    public void trainRuns(boolean measure) throws IOException {
        runs(measure, false);
    }

    private List<ExperimentRow> runs(boolean measure, boolean tables) throws IOException {
        Files.createDirectories(setup.out());
        Rows rows = new Rows(measure);
        ModelSpec base = ModelZoo.defaultSpec(setup.model());
        for (long seed : setup.seeds()) {
            boolean firstSeed = seed == setup.seeds().get(0);
            Map<Teacher, ModelSpec> specs = new LinkedHashMap<>();
            specs.put(Teacher.FP, base.withWeights(WeightKind.FP));
            specs.put(Teacher.BINARY, base.withWeights(WeightKind.BINARY));
            specs.put(Teacher.REVERB, base.withSpikes(SpikeKind.REAL).withWeights(WeightKind.BINARY));
            Map<Teacher, ExperimentSetup.Trained> trained = new LinkedHashMap<>();
            trained.put(Teacher.FP, trainBase("fp", specs.get(Teacher.FP), seed, rows.fp));
            trained.put(Teacher.BINARY, trainBase("binary", specs.get(Teacher.BINARY), seed, rows.binary));
            if (plan.reverbRow() || plan.teachers().contains(Teacher.REVERB)) {
                trained.put(Teacher.REVERB, trainBase("reverb", specs.get(Teacher.REVERB), seed, rows.reverb));
            }
            // Loaded only when a fine-tuning trains: a table whose rows are all recorded needs no checkpoint.
            Path binaryDir = setup.runDirectory("binary", seed);
            ExperimentSetup.Trained bin = trained.get(Teacher.BINARY);
            Supplier<Checkpoint> binaryCkpt = ExperimentSetup.once(() -> {
                bin.model(); // checks the kept network, or trains it again, if only its record is here
                Path resumable = binaryDir.resolve(ExperimentSetup.CHECKPOINT);
                return Checkpoint.load(Files.exists(resumable) ? resumable : binaryDir.resolve(KeptNetwork.FILE));
            });
            ModelSpec binarySpec = specs.get(Teacher.BINARY);
            fineTune(
                    rows.binaryLonger,
                    seed,
                    binarySpec,
                    () -> QuantModels.fromCheckpoint(binaryCkpt.get()),
                    null,
                    null,
                    0);
            for (int eta : plan.etas()) {
                if (!firstSeed && !plan.everySeedEtas().contains(eta)) {
                    continue;
                }
                for (Variant v : VARIANTS) {
                    ModelSpec subBit = binarySpec.withSubBit(eta, v.osQuant(), 0);
                    Supplier<SpikingClassifier> compressed =
                            () -> Compression.fromBinary(binaryCkpt.get(), eta, v.osQuant(), 0);
                    if (!v.mpfd()) {
                        fineTune(rows.subBit.get(rowName(eta, v, null, 0)), seed, subBit, compressed, null, null, 0);
                        continue;
                    }
                    for (Teacher t : plan.teachers()) {
                        for (float lambda : plan.lambdas()) {
                            fineTune(
                                    rows.subBit.get(rowName(eta, v, t, lambda)),
                                    seed,
                                    subBit,
                                    compressed,
                                    trained.get(t),
                                    specs.get(t),
                                    lambda);
                        }
                    }
                }
            }
            if (tables) {
                write(rows);
            }
        }
        return tables ? write(rows) : List.of();
    }

    /** Trains (or reuses) a network of the seed from scratch and adds it to its row. */
    private ExperimentSetup.Trained trainBase(String name, ModelSpec spec, long seed, RowRuns row) throws IOException {
        Path dir = setup.runDirectory(name, seed);
        setup.log()
                .printf(
                        "%n== %s (spikes %s, weights %s), seed %d -> %s%n",
                        setup.model(), spec.spikes().id(), spec.weights().id(), seed, dir);
        // kept beside its record: the fine-tunings and distillations of later sessions start from it
        ExperimentSetup.Trained run = setup.trainKept(spec, seed, dir);
        row.add(seed, run, dir);
        return run;
    }

    /**
     * Fine-tunes the network of {@code spec} that {@code net} makes from the seed's binary network
     * (MPFD from {@code teacher}, a network of {@code teacherSpec}, unless null). Neither is made
     * when the row's run is reused.
     */
    private void fineTune(
            RowRuns row,
            long seed,
            ModelSpec spec,
            Supplier<SpikingClassifier> net,
            ExperimentSetup.Trained teacher,
            ModelSpec teacherSpec,
            float lambda)
            throws IOException {
        Path dir = setup.runDirectory(ReverbExperiment.slug(row.name), seed);
        setup.log().printf("%n== %s, seed %d -> %s%n", row.name, seed, dir);
        var settings = new Compression.Settings(plan.fineTuneEpochs(), 64, setup.lr(), seed, lambda);
        String mpfd = teacher == null ? null : Compression.describeDistillation(teacherSpec, lambda);
        Supplier<ExperimentSetup.Start> start = () -> {
            SpikingClassifier fresh = net.get();
            return new ExperimentSetup.Start(
                    fresh,
                    teacher == null ? null : Compression.distillation(fresh, teacher.model(), lambda, setup.log()));
        };
        row.add(seed, setup.train(Compression.config(spec, settings), mpfd, start, dir), dir);
    }

    /**
     * The lambda of each teacher with the best mean validation accuracy over every MPFD row of it
     * (every eta and seed), the first of the list on ties; the only lambda without a choice to make.
     */
    static Map<Teacher, Float> chosenLambdas(Plan plan, List<ExperimentRow> table) {
        Map<String, ExperimentRow> byName = byName(table);
        Map<Teacher, Float> chosen = new LinkedHashMap<>();
        for (Teacher t : plan.teachers()) {
            float best = plan.lambdas().get(0);
            double bestScore = Double.NEGATIVE_INFINITY;
            for (float lambda : plan.lambdas()) {
                double score = validationMean(plan, byName, t, lambda);
                if (score > bestScore) {
                    bestScore = score;
                    best = lambda;
                }
            }
            chosen.put(t, best);
        }
        return chosen;
    }

    /** The mean validation accuracy over all MPFD rows of a teacher and lambda (and all their seeds). */
    private static double validationMean(Plan plan, Map<String, ExperimentRow> byName, Teacher t, float lambda) {
        double sum = 0;
        int n = 0;
        for (int eta : plan.etas()) {
            ExperimentRow r = byName.get(rowName(eta, VARIANTS.get(2), t, lambda));
            if (r != null) {
                for (double v : r.validationAccuracies()) {
                    sum += v;
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The paper's claims at the chosen lambdas (and at the default 1000 where it was not chosen), per eta. */
    static List<PairedClaim> claims(Plan plan, List<ExperimentRow> table, Map<Teacher, Float> chosen) {
        Map<String, ExperimentRow> byName = byName(table);
        List<PairedClaim> claims = new ArrayList<>();
        ExperimentRow reference = byName.get("BSNN +" + plan.fineTuneEpochs() + " epochs");
        Variant baseline = VARIANTS.get(0);
        Variant os = VARIANTS.get(1);
        Variant mpfd = VARIANTS.get(2);
        float paperLambda = MembraneDistillation.DEFAULT_LAMBDA;
        for (int eta : plan.etas()) {
            ExperimentRow base = byName.get(rowName(eta, baseline, null, 0));
            ExperimentRow osRow = byName.get(rowName(eta, os, null, 0));
            if (base == null || osRow == null) {
                continue;
            }
            claims.add(PairedClaim.of("eta " + eta + ": +OS-Quant >= baseline", osRow, base, 0));
            for (Teacher t : plan.teachers()) {
                float lambda = chosen.get(t);
                String teacher = t == Teacher.FP ? "" : ", " + t.id() + " teacher";
                ExperimentRow withMpfd = byName.get(rowName(eta, mpfd, t, lambda));
                if (withMpfd != null) {
                    claims.add(PairedClaim.of(
                            "eta " + eta + ": +MPFD (lambda " + lambdaText(lambda) + teacher
                                    + (plan.lambdas().size() > 1 ? ", chosen on validation" : "")
                                    + ") >= +OS-Quant",
                            withMpfd,
                            osRow,
                            0));
                }
                ExperimentRow paper = byName.get(rowName(eta, mpfd, t, paperLambda));
                if (paper != null && lambda != paperLambda) {
                    claims.add(PairedClaim.of(
                            "eta " + eta + ": +MPFD (lambda 1000" + teacher + ") >= +OS-Quant", paper, osRow, 0));
                }
                if (t != Teacher.FP && plan.teachers().contains(Teacher.FP)) {
                    ExperimentRow fromFp = byName.get(rowName(eta, mpfd, Teacher.FP, chosen.get(Teacher.FP)));
                    if (withMpfd != null && fromFp != null) {
                        claims.add(PairedClaim.of(
                                "eta " + eta + ": MPFD from the " + t.id() + " teacher >= from the FP teacher "
                                        + "(each at its chosen lambda)",
                                withMpfd,
                                fromFp,
                                0));
                    }
                }
            }
            ExperimentRow full = byName.get(rowName(
                    eta,
                    mpfd,
                    plan.teachers().get(0),
                    chosen.get(plan.teachers().get(0))));
            if (full != null && reference != null) {
                claims.add(PairedClaim.of(
                        "eta " + eta + ": S2NN (OS-Quant+MPFD) within 1 point of the binary network trained as long "
                                + "(>= " + reference.name() + " - 1)",
                        full,
                        reference,
                        0.01));
            }
        }
        return claims;
    }

    private static Map<String, ExperimentRow> byName(List<ExperimentRow> table) {
        Map<String, ExperimentRow> byName = new LinkedHashMap<>();
        table.forEach(r -> byName.put(r.name(), r));
        return byName;
    }

    private List<ExperimentRow> write(Rows rows) {
        List<ExperimentRow> table = rows.table();
        Map<Teacher, Float> chosen = chosenLambdas(plan, table);
        Map<String, Object> described = described(table, chosen);
        Map<String, Object> eligible = new LinkedHashMap<>();
        long binaryBytes = rows.binary.eligibleBytes();
        eligible.put(rows.binary.name, binaryBytes);
        rows.subBit.values().stream().filter(r -> !r.isEmpty()).forEach(r -> {
            long bytes = r.eligibleBytes();
            eligible.put(
                    r.name, String.format(Locale.ROOT, "%d (%.3f of binary)", bytes, (double) bytes / binaryBytes));
        });
        described.put("deployed bytes of the eligible layers (3x3 binary convs but the first)", eligible);
        ExperimentTable.write(
                setup.out(),
                "s2nn-table",
                "S2NN sub-bit SNNs on " + setup.test().name(),
                described,
                table,
                claims(plan, table, chosen),
                setup.listener());
        return table;
    }

    /** The setup as the table states it. */
    private Map<String, Object> described(List<ExperimentRow> table, Map<Teacher, Float> chosen) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", setup.model());
        s.put(
                "epochs",
                setup.epochs() + " per network trained from scratch; " + plan.fineTuneEpochs()
                        + " per fine-tuning from the binary network (each sub-bit row, and the binary reference "
                        + "BSNN +" + plan.fineTuneEpochs() + " epochs)");
        s.put("seeds", setup.seeds());
        s.put("eta", plan.etas());
        if (setup.seeds().size() > 1 && !plan.everySeedEtas().containsAll(plan.etas())) {
            s.put("eta trained for every seed", plan.everySeedEtas() + " (the other etas: first seed only)");
        }
        s.put("optimizer", setup.optimizerText());
        s.put("MPFD teachers", plan.teachers().stream().map(Teacher::id).toList());
        s.put(
                "MPFD lambdas",
                plan.lambdas().stream().map(S2nnExperiment::lambdaText).toList());
        Map<String, Object> choice = new LinkedHashMap<>();
        Map<String, ExperimentRow> byName = byName(table);
        for (Teacher t : plan.teachers()) {
            StringBuilder text = new StringBuilder(lambdaText(chosen.get(t)));
            if (plan.lambdas().size() > 1) {
                text.append(" (mean validation accuracy per lambda:");
                for (float lambda : plan.lambdas()) {
                    text.append(String.format(
                            Locale.ROOT,
                            " %s: %.2f%%",
                            lambdaText(lambda),
                            100 * validationMean(plan, byName, t, lambda)));
                }
                text.append(')');
            }
            choice.put(t.id() + " teacher", text.toString());
        }
        s.put("MPFD lambda used for the claims", choice);
        setup.describeData(s);
        return s;
    }
}
