package dev.spikebit.train.experiment;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.distill.MembraneDistillation;
import dev.spikebit.quant.report.LayerReport;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.ResumableRun;
import dev.spikebit.train.subbit.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The S2NN comparison (docs/methods.md 3, docs/s2nn.md): per seed, a full-precision teacher and a binary
 * network are trained, then the binary
 * network is compressed to sub-bit weights for each {@code eta} and each variant (baseline
 * nearest-codeword selection, OS-Quant, OS-Quant with MPFD from the teacher) and fine-tuned for
 * the same number of epochs. Every row is deployed and measured (bits per weight, deployed bytes,
 * operations and energy from activity on test images). Every network trains in a directory of its
 * own through {@link ResumableRun}: running the command again continues an interrupted table, and
 * more seeds reuse what is already trained.
 */
public final class S2nnExperiment {
    /** A sub-bit variant: OS-Quant selection and MPFD distillation on or off. */
    public record Variant(String name, boolean osQuant, boolean mpfd) {}

    public static final List<Variant> VARIANTS = List.of(
            new Variant("baseline", false, false),
            new Variant("+OS-Quant", true, false),
            new Variant("+OS-Quant+MPFD", true, true));

    private final List<Integer> etas;
    private final List<Integer> everySeedEtas;
    private final float lambda;

    private final ExperimentSetup setup;

    /**
     * @param etas          the codebook sizes of the table
     * @param everySeedEtas the etas whose rows are trained for every seed; the other etas' rows
     *                      only for the first seed (a cheaper table with the spread where it matters)
     * @param lambda        the weight of MPFD's loss term
     */
    public S2nnExperiment(ExperimentSetup setup, List<Integer> etas, List<Integer> everySeedEtas, float lambda) {
        for (int eta : etas) {
            if (eta < 1 || eta > 8) {
                throw new SpikebitException("eta must be in 1..8, got " + eta);
            }
        }
        this.setup = setup;
        this.etas = List.copyOf(etas);
        this.everySeedEtas = List.copyOf(everySeedEtas);
        this.lambda = lambda;
    }

    /** Accumulates one table row over seeds. */
    private final class RowData {
        final String name;
        final String spikes;
        final String weights;
        final List<Double> accuracies = new ArrayList<>();
        final List<List<EpochMetrics>> curves = new ArrayList<>();
        ModelReport report;
        long bytes;
        long eligibleBytes;

        RowData(String name, String weights) {
            this.name = name;
            this.spikes = SpikeKind.BINARY.id();
            this.weights = weights;
        }

        void add(double accuracy, List<EpochMetrics> history, SpikingClassifier net, Path dir) throws IOException {
            accuracies.add(accuracy);
            curves.add(history);
            if (report == null) {
                Graph deployed = Reparameterizer.deploy(net);
                Path file = dir.resolve("deployed.safetensors");
                DeployedFormat.save(file, deployed);
                bytes = Files.size(file);
                eligibleBytes = eligibleBytes(deployed);
                int n = Math.min(setup.measureImages(), setup.test().size());
                report = ModelReport.measure(deployed, Samples.first(setup.test(), n));
            }
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
                    accuracies,
                    report.bitsPerWeight(),
                    bytes,
                    firing,
                    report.macs(),
                    report.acs(),
                    report.energyPj(),
                    curves);
        }
    }

    public List<ExperimentRow> run() throws IOException {
        Files.createDirectories(setup.out());
        RowData fp = new RowData("FP-SNN (teacher)", "fp");
        RowData binary = new RowData("BSNN (binary)", "binary");
        Map<String, RowData> subBit = new LinkedHashMap<>();
        for (int eta : etas) {
            for (Variant v : VARIANTS) {
                subBit.put(rowName(eta, v), new RowData(rowName(eta, v), "sub-bit eta " + eta));
            }
        }
        for (long seed : setup.seeds()) {
            boolean firstSeed = seed == setup.seeds().get(0);
            ModelSpec base = ModelZoo.defaultSpec(setup.model());
            Path teacherDir = setup.out().resolve("fp-seed" + seed);
            ResumableRun.Result teacher = trainBase(base.withWeights(WeightKind.FP), seed, teacherDir);
            fp.add(teacher.finalAccuracy(), teacher.history(), teacher.model(), teacherDir);
            Path binaryDir = setup.out().resolve("binary-seed" + seed);
            ResumableRun.Result bin = trainBase(base.withWeights(WeightKind.BINARY), seed, binaryDir);
            binary.add(bin.finalAccuracy(), bin.history(), bin.model(), binaryDir);
            Checkpoint binaryCkpt = Checkpoint.load(binaryDir.resolve("last.safetensors"));
            for (int eta : etas) {
                if (!firstSeed && !everySeedEtas.contains(eta)) {
                    continue;
                }
                for (Variant v : VARIANTS) {
                    String name = rowName(eta, v);
                    Path dir = setup.out().resolve(ReverbExperiment.slug(name) + "-seed" + seed);
                    setup.log().printf("%n== %s, seed %d -> %s%n", name, seed, dir);
                    SpikingClassifier net = Compression.fromBinary(binaryCkpt, eta, v.osQuant(), 0);
                    var settings = new Compression.Settings(setup.epochs(), 64, setup.lr(), seed, lambda);
                    var mpfd = v.mpfd() ? Compression.distillation(net, teacher.model(), lambda, setup.log()) : null;
                    var run = setup.train(Compression.config(net.spec(), settings), net, mpfd, dir);
                    subBit.get(name).add(run.finalAccuracy(), run.history(), run.model(), dir);
                }
            }
            write(fp, binary, subBit);
        }
        return write(fp, binary, subBit);
    }

    private List<ExperimentRow> write(RowData fp, RowData binary, Map<String, RowData> subBit) {
        List<ExperimentRow> rows = new ArrayList<>();
        rows.add(fp.row());
        rows.add(binary.row());
        subBit.values().forEach(r -> rows.add(r.row()));
        Map<String, Object> described = described();
        Map<String, Object> eligible = new LinkedHashMap<>();
        eligible.put(binary.name, binary.eligibleBytes);
        subBit.values()
                .forEach(r -> eligible.put(
                        r.name,
                        String.format(
                                "%d (%.3f of binary)",
                                r.eligibleBytes, (double) r.eligibleBytes / binary.eligibleBytes)));
        described.put("deployed bytes of the eligible layers (3x3 binary convs but the first)", eligible);
        ExperimentTable.write(
                setup.out(),
                "s2nn-table",
                "S2NN sub-bit SNNs on " + setup.test().name(),
                described,
                rows,
                setup.listener());
        return rows;
    }

    /** Trains the teacher or the binary network of a seed (or reuses or resumes it, {@link ResumableRun}). */
    private ResumableRun.Result trainBase(ModelSpec spec, long seed, Path dir) {
        setup.log()
                .printf(
                        "%n== %s (weights %s), seed %d -> %s%n",
                        setup.model(), spec.weights().id(), seed, dir);
        return setup.train(spec, seed, dir);
    }

    private static long eligibleBytes(Graph deployed) {
        long bytes = 0;
        boolean firstConv = true;
        for (Layer node : deployed.layers()) {
            switch (node) {
                case Layer.CodewordConv c -> bytes += DeployedFormat.parameterBytes(c);
                case Layer.SignConv c -> {
                    if (c.kernel() == 3 && !firstConv) {
                        bytes += DeployedFormat.parameterBytes(c);
                    }
                }
                default -> {}
            }
            if (node instanceof Layer.Conv || node instanceof Layer.SignConv || node instanceof Layer.CodewordConv) {
                firstConv = false;
            }
        }
        return bytes;
    }

    private static String rowName(int eta, Variant v) {
        return "sub-bit eta " + eta + " " + v.name();
    }

    /** The setup as the table states it. */
    private Map<String, Object> described() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", setup.model());
        s.put(
                "epochs",
                setup.epochs() + " per network (teacher, binary, and each sub-bit fine-tuning from the binary one)");
        s.put("seeds", setup.seeds());
        s.put("eta", etas);
        if (setup.seeds().size() > 1 && !everySeedEtas.containsAll(etas)) {
            s.put("eta trained for every seed", everySeedEtas + " (the other etas: first seed only)");
        }
        s.put(
                "optimizer",
                "adam, lr " + setup.lr() + ", cosine, batch 64, T "
                        + ModelZoo.defaultSpec(setup.model()).timeSteps());
        s.put("MPFD lambda", lambda + (lambda == MembraneDistillation.DEFAULT_LAMBDA ? " (default)" : ""));
        s.put("train images", setup.train().size());
        s.put("test images", setup.test().size());
        s.put(
                "activity measured on",
                Math.min(setup.measureImages(), setup.test().size()) + " test images");
        return s;
    }
}
