package dev.spikebit.cli;

import dev.spikebit.core.Named;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.ValidationSplit;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.TrainingListener;
import dev.spikebit.train.experiment.ExperimentRow;
import dev.spikebit.train.experiment.ExperimentSetup;
import dev.spikebit.train.experiment.ReverbExperiment;
import dev.spikebit.train.experiment.S2nnExperiment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikebit experiment reverb|s2nn}: the papers' comparison tables, trained and measured end
 * to end.
 */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "Run a paper's comparison: 'reverb' trains FP-SNN, BSNN, ReverB (fixed and trained alpha) and "
                + "real spikes with FP weights, deploys each, and writes reverb-table.md/.json/.png. 's2nn' trains "
                + "(or reuses) an FP teacher and a binary network, compresses the binary one to sub-bit weights for "
                + "each eta x {baseline, +OS-Quant, +OS-Quant+MPFD}, and writes s2nn-table.md/.json and PNGs.")
public final class ExperimentCommand implements Callable<Integer> {
    /** Test images each row's deployed network is measured on (activity, operations, energy). */
    @Parameters(index = "0", description = "reverb or s2nn")
    String which;

    @Option(names = "--model", description = "Zoo model. Default: fmnist-cnn (reverb), fmnist-vgg-s (s2nn)")
    String model;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs per row. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "First seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(
            names = "--seeds",
            defaultValue = "1",
            description = "Number of seeds (seed, seed+1, ...). Default: ${DEFAULT-VALUE}")
    int seedCount;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate. Default: ${DEFAULT-VALUE}")
    float lr;

    @Option(
            names = "--train-limit",
            defaultValue = "0",
            description = "Use only the first N training images (0 = all).")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images (0 = all).")
    int testLimit;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is.")
    Path dataDir;

    @Option(
            names = "--rows",
            split = ",",
            description = "reverb: train only these rows (fp-snn, bsnn, "
                    + "reverb-fixed-alpha, reverb, real-spikes-fp-weights), e.g. to share a table between processes; a later "
                    + "run of all rows in the same --out reuses them. Default: all")
    List<String> rowNames;

    @Option(
            names = "--etas",
            split = ",",
            defaultValue = "4,5,6",
            description = "s2nn: codebook index bits. Default: ${DEFAULT-VALUE}")
    List<Integer> etas;

    @Option(
            names = "--every-seed-etas",
            split = ",",
            description = "s2nn: the etas trained for every seed; the "
                    + "others only for the first seed. Default: all of --etas")
    List<Integer> everySeedEtas;

    @Option(
            names = {"--lambda", "--lambdas"},
            split = ",",
            defaultValue = "1000",
            description = "s2nn: MPFD loss weight(s). Several (e.g. 1,10,100,1000) are a sweep: every MPFD row is "
                    + "trained at each, and the claims use the one with the best validation accuracy (needs "
                    + "--validation) and lambda 1000 beside it. Default: ${DEFAULT-VALUE}")
    List<Float> lambdas;

    @Option(
            names = "--teachers",
            split = ",",
            defaultValue = "fp",
            description = "s2nn: the MPFD teachers (fp, binary, reverb), each with its own MPFD rows. "
                    + "Default: ${DEFAULT-VALUE}")
    List<String> teachers;

    @Option(
            names = "--finetune-epochs",
            description = "s2nn: epochs of every fine-tuning from the binary network (the sub-bit rows and the "
                    + "binary reference row BSNN +N epochs). Default: --epochs")
    Integer fineTuneEpochs;

    @Option(
            names = "--reverb-row",
            description = "s2nn: also train a ReverB network (real spikes, binary weights) per seed as a row "
                    + "(always with --teachers reverb)")
    boolean reverbRow;

    @Option(
            names = "--validation",
            defaultValue = "0",
            description = "Hold N training images out (a fixed seeded choice): every run trains without them, is "
                    + "scored on them after each epoch and chooses hyperparameters on them; the table's accuracy is "
                    + "the test set's, scored once at the end. Default: ${DEFAULT-VALUE} (none)")
    int validation;

    @Option(
            names = "--measure-images",
            defaultValue = "" + ExperimentSetup.MEASURE_IMAGES,
            description = "Test images each row's deployed network is run on in the reference executor for its "
                    + "firing rate, operations and energy (a minute or more per row for 1000). "
                    + "Default: ${DEFAULT-VALUE}")
    int measureImages;

    @Option(
            names = "--augment",
            description = "Random crop (pad 2) and horizontal flip of the training images; the runs go to "
                    + "directories of their own (NAME-augment-seedS)")
    boolean augment;

    @Option(
            names = "--out",
            defaultValue = "runs/experiment",
            description = "Output directory: a local path, or with --spark also a Hadoop filesystem URI "
                    + "(hdfs://..., s3a://..., file:///...). Default: ${DEFAULT-VALUE}")
    String out;

    @Option(
            names = "--spark",
            arity = "0..1",
            fallbackValue = "local[*]",
            paramLabel = "MASTER",
            description = "Train the runs as Spark tasks, one per (row, seed) for reverb and one per seed for s2nn, "
                    + "into the shared --out, then gather the table: local[*] (the default with no value), "
                    + "local[N], spark://HOST:PORT, yarn, k8s://... (docs/distributed.md).")
    String spark;

    @Override
    public Integer call() throws Exception {
        if (!which.equals("reverb") && !which.equals("s2nn")) {
            throw new SpikebitException("unknown experiment \"" + which + "\": expected reverb or s2nn");
        }
        OptionRanges.between("--epochs", epochs, 1, TrainConfig.MAX_EPOCHS);
        OptionRanges.between("--seeds", seedCount, 1, 1000);
        OptionRanges.positive("--lr", lr);
        OptionRanges.atLeast("--train-limit", trainLimit, 0);
        OptionRanges.atLeast("--test-limit", testLimit, 0);
        OptionRanges.allBetween("--etas", etas, 1, 8);
        OptionRanges.allBetween("--every-seed-etas", everySeedEtas, 1, 8);
        for (float lambda : lambdas) {
            OptionRanges.nonNegative("--lambda", lambda);
        }
        OptionRanges.atLeast("--validation", validation, 0);
        OptionRanges.between("--measure-images", measureImages, 1, 10_000);
        if (fineTuneEpochs != null) {
            OptionRanges.between("--finetune-epochs", fineTuneEpochs, 1, TrainConfig.MAX_EPOCHS);
        }
        List<S2nnExperiment.Teacher> teacherKinds = teachers.stream()
                .map(t -> Named.of(S2nnExperiment.Teacher.values(), t, "--teachers"))
                .toList();
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < seedCount; i++) {
            seeds.add(seed + i);
        }
        boolean s2nn = which.equals("s2nn");
        String net = model != null ? model : s2nn ? "fmnist-vgg-s" : "fmnist-cnn";
        List<ReverbExperiment.Variant> reverbRows =
                rowNames == null ? ReverbExperiment.ROWS : ReverbExperiment.rowsNamed(rowNames);
        boolean shared = ClusterBackend.isFilesystemUri(out);
        if (shared && spark == null) {
            throw new SpikebitException("--out " + out + ": a Hadoop filesystem URI needs --spark (the spark module "
                    + "writes through Hadoop); give a local path without it");
        }
        ClusterBackend backend = spark == null ? null : ClusterBackend.load();
        // A URI: checked before any task starts; the table is gathered in a local copy and saved there.
        try (ClusterBackend.SharedFolder folder = shared ? backend.openShared(out) : null) {
            if (backend != null) {
                backend.runAll(spark, "spikebit experiment " + which, tasks(net, seeds, reverbRows, teacherKinds));
            }
            Path dir;
            if (folder != null) {
                folder.fetch(name -> true);
                dir = folder.local();
            } else {
                dir = Path.of(out);
            }
            gather(net, seeds, s2nn, reverbRows, teacherKinds, dir);
        }
        String table = which + "-table.md";
        System.out.println("table: "
                + (shared
                        ? out.replaceAll("/+$", "") + "/" + table
                        : Path.of(out).resolve(table)));
        return 0;
    }

    /** Trains what the runs in {@code dir} lack (nothing after {@code --spark}) and writes the table there. */
    private void gather(
            String net,
            List<Long> seeds,
            boolean s2nn,
            List<ReverbExperiment.Variant> reverbRows,
            List<S2nnExperiment.Teacher> teacherKinds,
            Path dir)
            throws IOException {
        ExperimentSetup setup = setup(
                net,
                DatasetChoice.load(DatasetName.FASHION_MNIST, dataDir, trainLimit, testLimit),
                validation,
                augment,
                seeds,
                epochs,
                lr,
                dir,
                s2nn,
                measureImages,
                TrainingListener.NONE);
        List<ExperimentRow> rows = s2nn
                ? new S2nnExperiment(setup, plan(etas, everySeedEtas == null ? etas : everySeedEtas, teacherKinds))
                        .run()
                : new ReverbExperiment(setup, reverbRows).run();
        System.out.printf(
                "%-32s %10s %12s %14s %10s%n", "row", "accuracy", "bits/weight", "deployed bytes", "energy nJ");
        for (ExperimentRow r : rows) {
            System.out.printf(
                    "%-32s %7.2f%% %12.3f %,14d %10.1f%n",
                    r.name(), 100 * r.accuracyMean(), r.bitsPerWeight(), r.deployedBytes(), r.energyPj() / 1000);
        }
    }

    /** The plan of the S2NN table from the options. */
    private S2nnExperiment.Plan plan(
            List<Integer> tableEtas, List<Integer> allSeedEtas, List<S2nnExperiment.Teacher> teacherKinds) {
        return new S2nnExperiment.Plan(
                tableEtas,
                allSeedEtas,
                lambdas,
                teacherKinds,
                fineTuneEpochs == null ? epochs : fineTuneEpochs,
                reverbRow);
    }

    /**
     * The experiment's setup from the loaded data: {@code validation} images held out of the
     * training split when positive, the dataset's augmentation when asked for; progress to stderr,
     * each run's curves and the figures beside the tables, then {@code afterEpoch} told of every epoch. The cluster tasks
     * build theirs the same way.
     */
    static ExperimentSetup setup(
            String net,
            DatasetChoice data,
            int validation,
            boolean augment,
            List<Long> seeds,
            int epochs,
            float lr,
            Path out,
            boolean s2nn,
            int measureImages,
            TrainingListener afterEpoch) {
        var train = data.train();
        var held = (dev.spikebit.data.Dataset) null;
        if (validation > 0) {
            ValidationSplit split = ValidationSplit.of(data.train(), validation);
            train = split.train();
            held = split.validation();
        }
        return ExperimentSetup.builder(net, train, data.test(), out)
                .epochs(epochs)
                .seeds(seeds)
                .lr(lr)
                .validation(held)
                .augmentation(augment ? data.augmentation() : null)
                .measureImages(measureImages)
                .log(System.err)
                // metrics.json is not attached here: the experiment writes it, as part of each run's record
                .listener(new ExperimentFigures(
                        TrainingListener.all(List.of(new TrainingProgress(System.err), new TrainingPlot(), afterEpoch)),
                        s2nn))
                .build();
    }

    /**
     * The independent runs of the table: every (row, seed) of reverb; every seed of s2nn (its sub-bit
     * rows are compressed from that seed's binary network and distilled from its teacher).
     */
    private List<ExperimentTask> tasks(
            String net,
            List<Long> seeds,
            List<ReverbExperiment.Variant> reverbRows,
            List<S2nnExperiment.Teacher> teacherKinds) {
        String absoluteOut = ClusterBackend.isFilesystemUri(out)
                ? out
                : Path.of(out).toAbsolutePath().normalize().toString();
        String data = dataDir == null ? null : dataDir.toAbsolutePath().toString();
        List<ExperimentTask> tasks = new ArrayList<>();
        if (which.equals("s2nn")) {
            List<Integer> others = everySeedEtas == null ? etas : everySeedEtas;
            for (long s : seeds) {
                List<Integer> seedEtas = s == seeds.getFirst()
                        ? etas
                        : etas.stream().filter(others::contains).toList();
                tasks.add(new ExperimentTask(
                        which,
                        net,
                        "",
                        s,
                        epochs,
                        lr,
                        plan(seedEtas, seedEtas, teacherKinds),
                        trainLimit,
                        testLimit,
                        validation,
                        augment,
                        measureImages,
                        data,
                        absoluteOut,
                        s == seeds.getFirst()));
            }
        } else {
            for (ReverbExperiment.Variant v : reverbRows) {
                for (long s : seeds) {
                    tasks.add(new ExperimentTask(
                            which,
                            net,
                            ReverbExperiment.slug(v.name()),
                            s,
                            epochs,
                            lr,
                            null,
                            trainLimit,
                            testLimit,
                            validation,
                            augment,
                            measureImages,
                            data,
                            absoluteOut,
                            s == seeds.getFirst()));
                }
            }
        }
        return tasks;
    }
}
