package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.Dropout;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.optim.LrSchedule;
import dev.spikebit.core.optim.Optimizer;
import dev.spikebit.core.optim.Sgd;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.augment.Augmentation;
import dev.spikebit.data.loader.Batch;
import dev.spikebit.data.loader.DataLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * The training loop: epochs of shuffled batches, surrogate-gradient backprop through time, a
 * per-batch learning-rate schedule, a test evaluation after each epoch, and a checkpoint written
 * atomically after each epoch so an interrupted run resumes where it stopped.
 *
 * <p>Output directory: {@code last.safetensors} (resumable) and {@code best.safetensors} (highest
 * test accuracy). Progress bars, {@code metrics.json} ({@link MetricsFile}) and plots are
 * {@link TrainingListener}s the caller attaches ({@link #withListener}).
 */
public final class Trainer {
    /** The checkpoint metadata key naming the run's dataset ({@link #recordingDataset}). */
    public static final String DATASET_KEY = "dataset";

    private final TrainConfig config;
    private final SpikingClassifier model;
    private final Dataset train;
    private final Dataset test;
    private final Augmentation augmentation;
    private final Path outDir;
    private final PrintStream log;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final List<EpochMetrics> history = new ArrayList<>();
    private TrainingListener listener = TrainingListener.NONE;
    private EpochSteps epochSteps; // null: this trainer's own loop over its training set
    private DatasetName dataset; // recorded in the checkpoints when known
    private AuxiliaryLoss auxiliary;
    private double auxiliaryMean; // the auxiliary term's mean over the last epoch's images
    private int startEpoch = 1;
    private double bestAccuracy = -1;
    private String evaluatedOn = "test";

    public Trainer(
            TrainConfig config,
            SpikingClassifier model,
            Dataset train,
            Dataset test,
            Augmentation augmentation,
            Path outDir,
            PrintStream log) {
        if (train.size() < config.batchSize()) {
            throw new SpikebitException(
                    train.name() + ": " + train.size() + " training samples, fewer than one batch of "
                            + config.batchSize() + " (every epoch would be empty; lower --batch or use more data)");
        }
        if (test.size() == 0) {
            throw new SpikebitException(test.name() + ": the test split is empty");
        }
        this.config = config;
        this.model = model;
        this.train = train;
        this.test = test;
        this.augmentation = augmentation;
        this.outDir = outDir;
        this.log = log;
        this.optimizer = optimizer(config, model.parameters());
        long stepsPerEpoch = Math.max(1, train.size() / config.batchSize());
        this.schedule = config.schedule().over(config.lr(), stepsPerEpoch * config.epochs());
    }

    static Optimizer optimizer(TrainConfig c, List<Parameter> params) {
        return switch (c.optimizer()) {
            case ADAM -> new Adam(params, c.lr(), 0.9f, 0.999f, 1e-8f, c.weightDecay(), false);
            case ADAMW -> Adam.adamW(params, c.lr(), c.weightDecay());
            case SGD -> new Sgd(params, c.lr(), c.momentum(), false, c.weightDecay());
            case NESTEROV -> new Sgd(params, c.lr(), c.momentum(), true, c.weightDecay());
        };
    }

    /**
     * Continues from a checkpoint written by this trainer: weights, buffers, optimizer state (its
     * step count included), epoch and history. Nothing random needs saving: the data order of an
     * epoch, each sample's augmentation and the dropout masks of a step are functions of (seed,
     * epoch, sample) and (seed, step) alone, so the continuation is bitwise the uninterrupted run
     * in the same compute environment. Every value is checked first ({@link ResumeMetadata}).
     */
    public void resumeFrom(Checkpoint checkpoint) {
        ResumeMetadata.Progress progress = ResumeMetadata.progress(checkpoint, config.epochs());
        checkpoint.restoreModel(model);
        checkpoint.restoreOptimizer(optimizer);
        startEpoch = progress.epoch() + 1;
        bestAccuracy = progress.bestAccuracy();
        history.clear();
        history.addAll(progress.history());
        log.printf("resuming after epoch %d from %s%n", startEpoch - 1, checkpoint.source());
    }

    /**
     * Reports this run's epochs and batches to {@code listener} (one; combine several with
     * {@link TrainingListener#all}). Without one the trainer reports nothing but its log lines.
     */
    /**
     * Names what the evaluation split is in the epoch lines: {@code test} unless set, {@code
     * validation} when the run holds out part of its training data and scores that instead.
     */
    public Trainer evaluatedOn(String role) {
        this.evaluatedOn = role;
        return this;
    }

    public Trainer withListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
        return this;
    }

    /**
     * Records in every checkpoint ({@code dataset} in its metadata) which registered dataset the
     * run trains on, so that {@code spikebit deploy} checks the deployed form on the same kind of
     * images.
     */
    public Trainer recordingDataset(DatasetName name) {
        this.dataset = name;
        return this;
    }

    /**
     * Adds {@code loss} to every batch's task loss (MPFD distillation, say). The epoch's train loss
     * stays the task loss; the term's mean is logged beside it.
     */
    public Trainer withAuxiliaryLoss(AuxiliaryLoss loss) {
        this.auxiliary = loss;
        return this;
    }

    /**
     * What a run of training steps adds up to.
     *
     * @param images       samples trained on
     * @param lossSum      the task loss summed over the samples (each batch's mean times its size)
     * @param auxiliarySum the auxiliary loss term summed the same way (0 without one)
     * @param correct      samples whose time-mean output predicted their label
     */
    public record StepTotals(long images, double lossSum, double auxiliarySum, long correct) {
        public static final StepTotals NONE = new StepTotals(0, 0, 0, 0);

        public StepTotals plus(StepTotals other) {
            return new StepTotals(
                    images + other.images,
                    lossSum + other.lossSum,
                    auxiliarySum + other.auxiliarySum,
                    correct + other.correct);
        }
    }

    /**
     * Takes an epoch's optimizer steps in place of the trainer's own loop, for instance on several
     * workers (data-parallel training). It leaves the trained parameters, buffers and optimizer
     * state, step count included, in this trainer's {@link #model()} and {@link #optimizer()}; the
     * trainer then evaluates, logs and checkpoints them as after an epoch of its own.
     */
    @FunctionalInterface
    public interface EpochSteps {
        /**
         * Trains epoch {@code epoch} (1-based).
         *
         * @param progress told the totals so far and the number of the epoch's steps taken, after
         *     each step or group of steps
         */
        StepTotals train(int epoch, ObjIntConsumer<StepTotals> progress);

        /**
         * What every checkpoint records of how the steps are taken (metadata keys and values), so
         * that a resumed run can check it takes them the same way. None by default.
         */
        default Map<String, String> checkpointInfo() {
            return Map.of();
        }
    }

    /** Takes every epoch's steps with {@code steps} instead of this trainer's own loop. */
    public Trainer withEpochSteps(EpochSteps steps) {
        this.epochSteps = steps;
        return this;
    }

    public SpikingClassifier model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public int startEpoch() {
        return startEpoch;
    }

    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** Runs the remaining epochs; returns the metrics of all epochs, resumed ones included. */
    public List<EpochMetrics> run() {
        return runUntil(config.epochs());
    }

    /**
     * Runs epochs up to and including {@code lastEpoch} (at most the configured number), saving a
     * checkpoint after each; the schedule always spans the configured number of epochs.
     */
    public List<EpochMetrics> runUntil(int lastEpoch) {
        try {
            Files.createDirectories(outDir);
        } catch (Exception e) {
            throw new SpikebitException(outDir + ": cannot create the output directory: " + e.getMessage());
        }
        DataLoader loader = trainingLoader();
        for (int epoch = startEpoch; epoch <= Math.min(lastEpoch, config.epochs()); epoch++) {
            EpochMetrics m = trainEpoch(loader, epoch);
            history.add(m);
            log.printf(
                    "epoch %d/%d: train loss %.4f%s acc %.2f%%, %s loss %.4f acc %.2f%%, %.0f img/s, %.0f s%n",
                    epoch,
                    config.epochs(),
                    m.trainLoss(),
                    auxiliary == null ? "" : String.format(" (+ %s %.4f)", auxiliary.name(), auxiliaryMean),
                    100 * m.trainAccuracy(),
                    evaluatedOn,
                    m.testLoss(),
                    100 * m.testAccuracy(),
                    m.imagesPerSecond(),
                    m.seconds());
            saveOutputs(epoch, m);
        }
        return history();
    }

    /**
     * The batches of the run: the training set shuffled per epoch from the seed, augmented, in
     * batches of the configured size (the last partial batch dropped).
     */
    public DataLoader trainingLoader() {
        return DataLoader.over(train)
                .batchSize(config.batchSize())
                .shuffle(true)
                .dropLast(true)
                .seed(config.seed())
                .augmentation(augmentation)
                .build();
    }

    private EpochMetrics trainEpoch(DataLoader loader, int epoch) {
        model.train(true);
        int batches = loader.batchesPerEpoch();
        long start = System.nanoTime();
        listener.epochStarted(epoch, batches);
        ObjIntConsumer<StepTotals> progress = (t, done) -> listener.batchFinished(
                epoch,
                new TrainingListener.Progress(
                        done,
                        batches,
                        t.images(),
                        t.lossSum() / t.images(),
                        (double) t.correct() / t.images(),
                        t.images() / ((System.nanoTime() - start) / 1e9)));
        StepTotals totals;
        try {
            if (epochSteps != null) {
                totals = epochSteps.train(epoch, progress);
            } else {
                try (var epochData = loader.epoch(epoch - 1)) {
                    totals = trainSteps(epochData, epoch, progress);
                }
            }
        } finally {
            listener.batchesFinished(epoch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long seen = totals.images();
        auxiliaryMean = totals.auxiliarySum() / Math.max(1, seen);
        Evaluation.Result result = Evaluation.evaluate(model, test, 256);
        return new EpochMetrics(
                epoch,
                totals.lossSum() / Math.max(1, seen),
                (double) totals.correct() / Math.max(1, seen),
                result.loss(),
                result.accuracy(),
                seen / seconds,
                seconds,
                optimizer.lr());
    }

    /**
     * Takes one optimizer step per batch of {@code batches}, in order, from the model's and the
     * optimizer's current state: the steps of {@link #run()}, with its learning-rate schedule (at
     * the optimizer's step count), dropout masks, auxiliary loss and NaN guards, for a caller that
     * chooses the batches itself, such as a data-parallel replica training on its shard after
     * loading the shared parameters and optimizer state.
     *
     * @param epoch the epoch the batches belong to (1-based), for messages
     */
    public StepTotals trainSteps(Iterator<Batch> batches, int epoch) {
        return trainSteps(batches, epoch, (totals, done) -> {});
    }

    private StepTotals trainSteps(Iterator<Batch> batches, int epoch, ObjIntConsumer<StepTotals> progress) {
        model.train(true);
        StepTotals totals = StepTotals.NONE;
        int done = 0;
        while (batches.hasNext()) {
            Batch b = batches.next();
            long step = optimizer.steps();
            optimizer.setLr(schedule.lr(step));
            // Dropout masks follow from the step alone, so a resumed run draws the same ones.
            model.visit(m -> {
                if (m instanceof Dropout d) {
                    d.atStep(step);
                }
            });
            Tensor x = ModelInput.of(b);
            if (auxiliary != null) {
                auxiliary.beforeForward(x);
            }
            Tensor steps = model.forward(x);
            Tensor logits = TimeOps.meanOverTime(steps);
            Tensor loss = switch (config.loss()) {
                case TET -> Losses.tet(steps, b.labels());
                case CE -> Losses.crossEntropy(logits, b.labels());
            };
            Tensor total = loss;
            double auxiliarySum = 0;
            if (auxiliary != null) {
                Tensor extra = auxiliary.loss();
                auxiliarySum = extra.item() * b.size();
                total = Elementwise.add(loss, extra);
            }
            requireFinite(epoch, "the loss", total.item());
            total.backward();
            requireFiniteGradients(epoch);
            optimizer.step();
            optimizer.zeroGrad();
            int[] predicted = Losses.argmax(logits);
            long correct = 0;
            for (int i = 0; i < predicted.length; i++) {
                if (predicted[i] == b.labels()[i]) {
                    correct++;
                }
            }
            totals = totals.plus(new StepTotals(b.size(), loss.item() * b.size(), auxiliarySum, correct));
            progress.accept(totals, ++done);
        }
        return totals;
    }

    /**
     * The NaN guard: a non-finite loss stops the run before it reaches the weights, naming the step;
     * the checkpoints on disk are those of the last finished epoch.
     */
    private void requireFinite(int epoch, String what, double value) {
        if (!Double.isFinite(value)) {
            throw new SpikebitException(stoppedAt(epoch) + what + " is " + value + lastGood());
        }
    }

    /** The NaN guard on the gradients: the first parameter whose gradient is not finite is named. */
    private void requireFiniteGradients(int epoch) {
        for (Parameter p : model.parameters()) {
            float[] grad = p.grad();
            if (grad == null) {
                continue;
            }
            float probe = 0;
            for (float g : grad) {
                probe += g * 0f; // NaN exactly when some g is NaN or infinite
            }
            if (Float.isNaN(probe)) {
                for (int i = 0; i < grad.length; i++) {
                    if (!Float.isFinite(grad[i])) {
                        throw new SpikebitException(stoppedAt(epoch) + "the gradient of " + p.name() + " is " + grad[i]
                                + " at index " + i + lastGood());
                    }
                }
            }
        }
    }

    private String stoppedAt(int epoch) {
        return "training stopped at epoch " + epoch + ", step " + (optimizer.steps() + 1) + ": ";
    }

    private String lastGood() {
        Path last = outDir.resolve("last.safetensors");
        return Files.exists(last)
                ? "; the last good checkpoint is " + last + " (try a lower --lr)"
                : "; no checkpoint was written yet (try a lower --lr)";
    }

    private void saveOutputs(int epoch, EpochMetrics m) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("epoch", Integer.toString(epoch));
        info.put("test_accuracy", Double.toString(m.testAccuracy()));
        info.put("train_config", config.toJson());
        info.put("history", EpochMetrics.toJson(history));
        boolean best = m.testAccuracy() > bestAccuracy;
        if (best) {
            bestAccuracy = m.testAccuracy();
        }
        info.put("best_accuracy", Double.toString(bestAccuracy));
        if (dataset != null) {
            info.put(DATASET_KEY, dataset.id());
        }
        if (epochSteps != null) {
            info.putAll(epochSteps.checkpointInfo());
        }
        Checkpoint.save(outDir.resolve("last.safetensors"), config.spec(), model, optimizer, info);
        if (best) {
            Checkpoint.save(outDir.resolve("best.safetensors"), config.spec(), model, null, info);
        }
        listener.epochFinished(new TrainingListener.EpochEnd(config, outDir, m, history));
    }
}
