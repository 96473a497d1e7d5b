package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.ValidationSplit;
import dev.spikebit.data.events.BinningMode;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.runtime.io.JsonObject;
import dev.spikebit.train.DatasetFit;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.Evaluation;
import dev.spikebit.train.RecordedEnvironment;
import dev.spikebit.train.ResumeMetadata;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spikebit train}: trains a zoo model on a dataset, with checkpoints, metrics and plots. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a spiking network; writes last/best checkpoints, metrics.json and curves.png to --out.")
public final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            defaultValue = "fmnist-cnn",
            description = "Zoo model (see 'spikebit models'). Default: ${DEFAULT-VALUE}")
    String model;

    @Option(
            names = "--dataset",
            defaultValue = "fashion-mnist",
            description =
                    "fashion-mnist, cifar10, cifar100, nmnist, dvs-gesture, cifar10-dvs, ncaltech101 or "
                            + "nfashion-mnist (event data is binned into T frames, T from the model). Default: ${DEFAULT-VALUE}")
    String dataset;

    @Option(
            names = "--data-dir",
            description = "Where the dataset files are (else SPIKEBIT_DATA, the cache, system folders).")
    Path dataDir;

    @Option(
            names = "--bin-mode",
            defaultValue = "count",
            description = "Event data: frames of equal event count (count) or equal duration (duration). "
                    + "Default: ${DEFAULT-VALUE}")
    String binMode;

    @Option(
            names = "--frame-size",
            defaultValue = "0",
            description = "Event data: frame height and width (0 = the dataset's: 34 for nmnist and nfashion-mnist, "
                    + "48 for 128x128 sensors).")
    int frameSize;

    @Option(
            names = "--cache-dir",
            description = "Event data: where binned frames are kept (default ~/.cache/spikebit/frames; "
                    + "nfashion-mnist: in memory).")
    Path cacheDir;

    @Option(names = "--epochs", description = "Epochs (default 5; with --resume, the saved run's count unless given).")
    Integer epochs;

    @Option(
            names = {"--T", "--time-steps"},
            description = "Time steps T (default: the model's, 4 for fmnist-cnn).")
    Integer timeSteps;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(
            names = "--optimizer",
            defaultValue = "adam",
            description = "adam, adamw, sgd or nesterov. Default: ${DEFAULT-VALUE}")
    String optimizer;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Base learning rate. Default: ${DEFAULT-VALUE}")
    float lr;

    @Option(
            names = "--weight-decay",
            defaultValue = "0",
            description = "Weight decay on weights only. Default: ${DEFAULT-VALUE}")
    float weightDecay;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum. Default: ${DEFAULT-VALUE}")
    float momentum;

    @Option(
            names = "--schedule",
            defaultValue = "cosine",
            description = "cosine, constant or step:EVERY:GAMMA. Default: ${DEFAULT-VALUE}")
    String schedule;

    @Option(
            names = "--loss",
            defaultValue = "ce",
            description = "ce (on the time-mean output) or tet. Default: ${DEFAULT-VALUE}")
    String loss;

    @Option(
            names = "--surrogate",
            defaultValue = "atan:2",
            description =
                    "atan[:alpha], sigmoid[:alpha], triangle[:gamma], rectangle[:width]. Default: ${DEFAULT-VALUE}")
    String surrogate;

    @Option(
            names = "--spikes",
            defaultValue = "binary",
            description = "binary (S) or real (ReverB, H*S). Default: ${DEFAULT-VALUE}")
    String spikes;

    @Option(
            names = "--weights",
            defaultValue = "fp",
            description = "fp, binary (sign with trained amplitude) or binary-fixed-alpha. Default: ${DEFAULT-VALUE}")
    String weights;

    @Option(names = "--binary-edges", description = "Make the first conv and the last linear binary too.")
    boolean binaryEdges;

    @Option(
            names = "--augment",
            description =
                    "Random crop and horizontal flip on the training samples (crop only for nmnist and dvs-gesture).")
    boolean augment;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed for initialisation, shuffling and augmentation. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(
            names = "--train-limit",
            defaultValue = "0",
            description = "Use only the first N training images (0 = all).")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images (0 = all).")
    int testLimit;

    @Option(
            names = "--validation",
            defaultValue = "0",
            description = "Hold N training images out (a fixed seeded choice, the same in every run) and score them "
                    + "after each epoch instead of the test set, which is scored once at the end: choose "
                    + "hyperparameters on these. Default: ${DEFAULT-VALUE} (none)")
    int validation;

    @Option(
            names = "--out",
            defaultValue = "runs/train",
            description = "Output directory: a local path, or with --spark also a Hadoop filesystem URI "
                    + "(hdfs://..., s3a://..., file:///...). Default: ${DEFAULT-VALUE}")
    String outOption;

    /** Where the run's files go: {@code --out}, or the local copy of a Hadoop filesystem's folder. */
    private Path out;

    @Option(
            names = "--resume",
            description = "Continue from --out/last.safetensors (or the given checkpoint).",
            arity = "0..1",
            fallbackValue = "")
    String resume;

    @Option(
            names = "--spark",
            arity = "0..1",
            fallbackValue = "local[*]",
            paramLabel = "MASTER",
            description = "Train data-parallel on Apache Spark (with --workers): local[*] (the default with no value), "
                    + "local[N], spark://HOST:PORT, yarn, k8s://... (docs/distributed.md).")
    String spark;

    @Option(
            names = "--workers",
            description = "With --spark: replicas that train in parallel, each on 1/N of every batch "
                    + "(--batch is the total batch of all workers).")
    Integer workers;

    @Option(
            names = "--sync-every",
            description = "With --spark: optimizer steps each replica takes between two averagings of the replicas "
                    + "(1, the default, is synchronous data-parallel training).")
    Integer syncEvery;

    /** Longer local runs between averagings than this are separate trainings, not data-parallel steps. */
    static final int MAX_SYNC_EVERY = 1_000_000;

    /** Larger event frames than this hold no more of a sensor's detail (the largest sensors are 640x480). */
    static final int MAX_FRAME_SIZE = 1024;

    @Override
    public Integer call() {
        if (!ClusterBackend.isFilesystemUri(outOption)) {
            out = Path.of(outOption);
            return train(TrainingListener.NONE);
        }
        if (spark == null) {
            throw new SpikebitException("--out " + outOption + ": a Hadoop filesystem URI needs --spark (the spark "
                    + "module writes through Hadoop); give a local path without it");
        }
        // The driver writes the checkpoints into a local copy and saves it to the filesystem after each epoch.
        try (ClusterBackend.SharedFolder folder = ClusterBackend.load().openShared(outOption)) {
            if (resume != null) {
                folder.fetch(String::isEmpty);
            }
            out = folder.local();
            return train(new TrainingListener() {
                @Override
                public void epochFinished(EpochEnd end) {
                    folder.save();
                }
            });
        }
    }

    private int train(TrainingListener afterEpoch) {
        Checkpoint resumed = resumeCheckpoint();
        if (resumed != null) {
            // Before anything computes: the backend and thread count are fixed on first use.
            RecordedEnvironment.adopt(resumed, System.err);
        }
        TrainConfig config = resumed != null ? resumedConfig(resumed) : newConfig();
        if (resumed != null) {
            resumeDataParallelAsRecorded(resumed);
        }
        checkDataParallel(config);
        DatasetName name = DatasetName.of(dataset);
        DatasetChoice.Frames frames = frames(config.spec().timeSteps());
        if (spark != null && name.isEvents()) {
            // Binned over the cluster into the frame caches, which the load below then finds.
            ClusterBackend.load()
                    .binFrames(
                            spark, EventSplits.of(dataset, dataDir, config.trainLimit(), config.testLimit(), frames));
        }
        DatasetChoice data = DatasetChoice.load(name, dataDir, config.trainLimit(), config.testLimit(), frames);
        if (resumed != null) {
            DatasetFit.requireFits(data, config.spec());
        } else {
            config = config.withSpec(DatasetFit.fit(data, config.spec()));
        }
        SpikingClassifier net = resumed != null
                ? QuantModels.build(config.spec(), config.seed(), resumed)
                : Models.build(config.spec(), config.seed());
        Dataset trainSet = data.train();
        Dataset scored = data.test();
        if (config.validation() > 0) {
            ValidationSplit split = ValidationSplit.of(data.train(), config.validation());
            trainSet = split.train();
            scored = split.validation();
        }
        ModelSpec spec = config.spec();
        System.err.printf(
                "training %s on %s (%d train, %d test samples of %s), T=%d, batch %d, %d epochs, %d threads, GEMM %s%n",
                spec.model(),
                data.name(),
                data.train().size(),
                data.test().size(),
                Arrays.toString(data.train().sampleShape()),
                spec.timeSteps(),
                config.batchSize(),
                config.epochs(),
                Parallel.threads(),
                Gemms.get().name());
        if (config.validation() > 0) {
            System.err.printf(
                    "holding %d training images out as the validation set: training on %d, scoring the validation "
                            + "set after each epoch and the test set once at the end%n",
                    scored.size(), trainSet.size());
        }
        Trainer trainer = new Trainer(
                config, net, trainSet, scored, config.augment() ? data.augmentation() : null, out, System.err);
        trainer.withListener(TrainingListener.all(List.of(TrainingProgress.withOutputFiles(System.err), afterEpoch)))
                .recordingDataset(name)
                .evaluatedOn(config.validation() > 0 ? "validation" : "test");
        if (resumed != null) {
            trainer.resumeFrom(resumed);
        }
        List<EpochMetrics> history = spark == null
                ? trainer.run()
                : ClusterBackend.load()
                        .trainDataParallel(
                                spark,
                                trainer,
                                TrainingReplicas.of(config, dataset, dataDir, binMode, frameSize, cacheDir),
                                new ClusterBackend.DataParallel(
                                        workers,
                                        syncEvery == null ? 1 : syncEvery,
                                        data.train().size() / config.batchSize()));
        if (!history.isEmpty()) {
            EpochMetrics last = history.get(history.size() - 1);
            if (config.validation() > 0) {
                double test = Evaluation.evaluate(net, data.test(), 256).accuracy();
                System.out.printf(
                        "final validation accuracy %.2f%%, test accuracy %.2f%% after %d epochs; outputs in %s%n",
                        100 * last.testAccuracy(), 100 * test, last.epoch(), outOption);
            } else {
                System.out.printf(
                        "final test accuracy %.2f%% after %d epochs; outputs in %s%n",
                        100 * last.testAccuracy(), last.epoch(), outOption);
            }
        }
        return 0;
    }

    /** The data-parallel options: only with --spark, and a total batch that the workers share evenly. */
    private void checkDataParallel(TrainConfig config) {
        if (spark != null && config.validation() > 0) {
            throw new SpikebitException("--validation is not supported with --spark (the replicas load the whole "
                    + "training split); hold the images out on one machine");
        }
        if (spark == null) {
            if (workers != null || syncEvery != null) {
                throw new SpikebitException("--workers and --sync-every need --spark (data-parallel training)");
            }
            return;
        }
        if (workers == null) {
            throw new SpikebitException(
                    "train --spark needs --workers N, the number of replicas that train in parallel");
        }
        OptionRanges.between("--workers", workers, 1, config.batchSize());
        if (syncEvery != null) {
            OptionRanges.between("--sync-every", syncEvery, 1, MAX_SYNC_EVERY);
        }
        if (config.batchSize() % workers != 0) {
            throw new SpikebitException("--batch " + config.batchSize() + " is the total batch of the " + workers
                    + " workers and must be a multiple of --workers");
        }
    }

    /**
     * A resumed run trains as its checkpoint records: data-parallel with the same workers and steps
     * between averagings (which then need not be given again), or on one machine. A different
     * setting would continue the run as another training, so it is refused.
     */
    private void resumeDataParallelAsRecorded(Checkpoint checkpoint) {
        String recorded = checkpoint.info(ClusterBackend.DataParallel.CHECKPOINT_KEY, null);
        if (recorded == null) {
            if (spark != null) {
                throw new SpikebitException(checkpoint.source() + ": the run was trained on one machine; "
                        + "resume it without --spark, --workers and --sync-every");
            }
            return;
        }
        int recordedWorkers;
        int recordedSyncEvery;
        try {
            JsonObject json = JsonObject.parse(recorded, ClusterBackend.DataParallel.CHECKPOINT_KEY);
            recordedWorkers = json.integer("workers", 0);
            recordedSyncEvery = json.integer("sync_every", 0);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(checkpoint.source() + ": " + e.getMessage());
        }
        String setting = recordedWorkers + " workers, sync every " + recordedSyncEvery;
        if (spark == null) {
            throw new SpikebitException(checkpoint.source() + ": the run was trained data-parallel (" + setting
                    + "); resume it with --spark MASTER");
        }
        if (workers != null && workers != recordedWorkers || syncEvery != null && syncEvery != recordedSyncEvery) {
            throw new SpikebitException(checkpoint.source() + ": the run was trained with " + setting
                    + "; a resumed run keeps them (leave out --workers and --sync-every, or give the same)");
        }
        workers = recordedWorkers;
        syncEvery = recordedSyncEvery;
    }

    private Checkpoint resumeCheckpoint() {
        if (resume == null) {
            return null;
        }
        Path path = resume.isEmpty() ? out.resolve("last.safetensors") : Path.of(resume);
        if (!Files.exists(path)) {
            throw new SpikebitException(path + ": no checkpoint to resume from");
        }
        return Checkpoint.load(path);
    }

    /** The saved run's configuration; the run must have epochs left (more with {@code --epochs}). */
    private TrainConfig resumedConfig(Checkpoint checkpoint) {
        if (epochs != null) {
            OptionRanges.between("--epochs", epochs, 1, TrainConfig.MAX_EPOCHS);
        }
        TrainConfig config = ResumeMetadata.config(checkpoint, epochs);
        int done = ResumeMetadata.progress(checkpoint, config.epochs()).epoch();
        if (done == config.epochs()) {
            throw new SpikebitException(checkpoint.source() + ": the run has finished all its " + done
                    + " epochs; give --epochs above " + done + " to train further");
        }
        return config;
    }

    /** How event data is binned: one frame per time step of the model. */
    private DatasetChoice.Frames frames(int timeSteps) {
        BinningMode mode;
        try {
            mode = BinningMode.parse(binMode);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException("--bin-mode: " + e.getMessage());
        }
        OptionRanges.between("--frame-size", frameSize, 0, MAX_FRAME_SIZE);
        return new DatasetChoice.Frames(timeSteps, mode, frameSize, cacheDir);
    }

    private TrainConfig newConfig() {
        if (timeSteps != null) {
            OptionRanges.between("--T", timeSteps, 1, ModelSpec.MAX_TIME_STEPS);
        }
        ModelSpec spec = ModelZoo.defaultSpec(model)
                .withSpikes(SpikeKind.of(spikes, "--spikes"))
                .withSurrogate(Surrogate.parse(surrogate))
                .withWeights(WeightKind.of(weights, "--weights"))
                .withBinaryEdges(binaryEdges);
        if (timeSteps != null) {
            spec = spec.withTimeSteps(timeSteps);
        }
        int epochs = this.epochs == null ? 5 : this.epochs;
        TrainConfig.Naming options = TrainConfig.Naming.OPTIONS;
        return TrainConfig.builder(spec)
                .epochs(epochs)
                .batchSize(batch)
                .optimizer(options.optimizer(optimizer))
                .lr(lr)
                .weightDecay(weightDecay)
                .momentum(momentum)
                .schedule(options.schedule(schedule))
                .loss(options.loss(loss))
                .augment(augment)
                .seed(seed)
                .trainLimit(trainLimit)
                .testLimit(testLimit)
                .validation(validation)
                .build()
                .validated(options);
    }
}
