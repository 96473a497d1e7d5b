package dev.spikebit.train.experiment;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.augment.Augmentation;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.train.AuxiliaryLoss;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.Evaluation;
import dev.spikebit.train.KeptNetwork;
import dev.spikebit.train.MetricsFile;
import dev.spikebit.train.ResumableRun;
import dev.spikebit.train.RunRecord;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.TrainingListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the ReverB and S2NN experiments share: the zoo model, the training budget and seeds, the
 * data, where the runs and tables go, and who hears about them. {@link #builder} starts from the
 * defaults of {@code spikebit experiment}.
 *
 * <p>With a validation set every run trains on the training images without it, is scored on it
 * after each epoch (its curves, the choice of hyperparameters) and on the test set once at the end
 * (the tables' accuracy); the test set never chooses anything.
 *
 * @param model         the zoo model every row trains
 * @param epochs        epochs per network
 * @param seeds         the seeds, one run per row and seed
 * @param lr            Adam's learning rate
 * @param train         the training data (without the validation images, if any)
 * @param validation    images held out of the training split ({@code ValidationSplit}), or null
 * @param test          the test data (accuracy, and the deployed model's activity)
 * @param augmentation  the training augmentation (random crop and flip), or null for none
 * @param out           the directory of the runs (one per row and seed) and the tables
 * @param log           where progress lines go
 * @param listener      told about every epoch and every table written
 * @param measureImages test images the deployed model's activity is counted on
 */
public record ExperimentSetup(
        String model,
        int epochs,
        List<Long> seeds,
        float lr,
        Dataset train,
        Dataset validation,
        Dataset test,
        Augmentation augmentation,
        Path out,
        PrintStream log,
        ExperimentListener listener,
        int measureImages) {
    /** Test images the activity of each row's deployed model is measured on, unless set. */
    public static final int MEASURE_IMAGES = 1000;

    /** The file in a run's directory that keeps its final test accuracy, so a reused run is not scored again. */
    static final String TEST_SCORE_FILE = "test-accuracy.txt";

    /** A run's resumable checkpoint ({@link ResumableRun}); the one file a record does without. */
    static final String CHECKPOINT = "last.safetensors";

    public ExperimentSetup {
        seeds = List.copyOf(seeds);
        listener = listener == null ? ExperimentListener.NONE : listener;
        if (validation != null && validation.size() == 0) {
            throw new SpikebitException(validation.name() + ": the validation set is empty");
        }
    }

    /** The optimizer line of a table's setup: what every row of an experiment trains with. */
    String optimizerText() {
        return "adam, lr " + lr + ", cosine, batch 64, T "
                + ModelZoo.defaultSpec(model).timeSteps();
    }

    /** Adds the data a table was trained, validated, tested and measured on to its setup. */
    void describeData(Map<String, Object> described) {
        described.put("train images", train.size());
        if (validation != null) {
            described.put("validation images (held out of the training split)", validation.size());
        }
        described.put("augmentation", augmentation == null ? "none" : augmentation.toString());
        described.put("test images", test.size());
        described.put("activity measured on", Math.min(measureImages, test.size()) + " test images");
    }

    /**
     * A finished run of an experiment.
     *
     * @param history            its epochs (their evaluation is on the validation set when there is one)
     * @param validationAccuracy the final validation accuracy, NaN without a validation set
     * @param testAccuracy       the final test accuracy
     * @param reused             whether the run finished before this call (a checkpoint or a record)
     * @param network            the trained network; from a record (no checkpoint), it trains again
     *                           when first asked for ({@link #train(TrainConfig, String, Supplier, Path)})
     */
    public record Trained(
            List<EpochMetrics> history,
            double validationAccuracy,
            double testAccuracy,
            boolean reused,
            Supplier<SpikingClassifier> network) {
        /** The trained network, in evaluation mode (trained again if only its record was here). */
        public SpikingClassifier model() {
            return network.get();
        }
    }

    /**
     * A network about to train: its new weights and its auxiliary loss (or null), made only when the
     * run is not reused, since making them may need another network (a teacher, the network a
     * sub-bit one starts from).
     */
    record Start(SpikingClassifier fresh, AuxiliaryLoss auxiliary) {}

    /**
     * The directory of a run: {@code out/NAME[-augment][-validation-N]-seedS}, so that runs with and
     * without augmentation or a validation split never share (and overwrite) a directory, while the
     * runs of the plain setup keep the names they always had.
     */
    Path runDirectory(String name, long seed) {
        String variant = (augmentation != null ? "-augment" : "")
                + (validation != null ? "-validation-" + validation.size() : "");
        return out.resolve(name + variant + "-seed" + seed);
    }

    /**
     * The training configuration of every network of the experiment trained from scratch: this
     * budget, learning rate and seed, augmentation and validation as set.
     */
    TrainConfig config(ModelSpec spec, long seed) {
        return adapted(
                TrainConfig.builder(spec).epochs(epochs).lr(lr).seed(seed).build());
    }

    /** {@code config} with this setup's augmentation and validation split. */
    TrainConfig adapted(TrainConfig config) {
        return config.toBuilder()
                .augment(augmentation != null)
                .validation(validation == null ? 0 : validation.size())
                .build();
    }

    /**
     * Trains a new network of {@code spec} with this budget and seed into {@code dir} (or reuses or
     * resumes the run already there, {@link ResumableRun}).
     */
    Trained train(ModelSpec spec, long seed, Path dir) {
        return train(config(spec, seed), null, () -> new Start(QuantModels.build(spec, seed), null), dir, false);
    }

    /**
     * As {@link #train(ModelSpec, long, Path)}, for a network that other rows start from or distil
     * from: its final weights are kept beside its record ({@link KeptNetwork}), and a later call that
     * finds only the record loads them instead of training the network again.
     */
    Trained trainKept(ModelSpec spec, long seed, Path dir) {
        return train(config(spec, seed), null, () -> new Start(QuantModels.build(spec, seed), null), dir, true);
    }

    /**
     * Trains the network {@code start} makes as {@code config} says (with this setup's augmentation
     * and validation split) into {@code dir}, through {@link ResumableRun}, and scores it on the test
     * set. A folder without {@code last.safetensors} whose files record this run as finished ({@link
     * RunRecord}: {@code run.txt}, {@code metrics.json} and, with a validation set, {@value
     * #TEST_SCORE_FILE}) is reused from those files alone: nothing is made or trained unless the
     * network itself is asked for.
     *
     * @param auxiliary what {@code start}'s auxiliary loss calls itself ({@link AuxiliaryLoss#describe}), or null
     */
    Trained train(TrainConfig config, String auxiliary, Supplier<Start> start, Path dir) {
        return train(config, auxiliary, start, dir, false);
    }

    /** @param keep whether the finished network is kept beside its record ({@link KeptNetwork}) */
    private Trained train(TrainConfig config, String auxiliary, Supplier<Start> start, Path dir, boolean keep) {
        TrainConfig adapted = adapted(config);
        Dataset evaluation = validation != null ? validation : test;
        if (!Files.exists(dir.resolve(CHECKPOINT))) {
            List<EpochMetrics> recorded = RunRecord.finished(adapted, auxiliary, train, evaluation, dir, log);
            Double score = recorded == null || validation == null ? null : savedTestAccuracy(dir, recorded.size());
            if (recorded != null && (validation == null || score != null)) {
                log.printf("reusing the record in %s (all %d epochs done; no %s)%n", dir, recorded.size(), CHECKPOINT);
                double last = recorded.getLast().testAccuracy();
                return new Trained(
                        recorded,
                        validation == null ? Double.NaN : last,
                        validation == null ? last : score,
                        true,
                        once(() -> kept(adapted, start, dir, recorded, keep)));
            }
            if (recorded != null) {
                log.printf(
                        "%s: no %s for %s, and scoring the test set needs the network: training it again%n",
                        dir, TEST_SCORE_FILE, test.name());
            }
        }
        ResumableRun.Result run = resumable(adapted, start, dir);
        if (keep) {
            KeptNetwork.keep(dir, adapted, run.model(), run.history());
        }
        if (validation == null) {
            return new Trained(run.history(), Double.NaN, run.finalAccuracy(), run.reused(), run::model);
        }
        return new Trained(run.history(), run.finalAccuracy(), testAccuracy(run, dir), run.reused(), run::model);
    }

    private ResumableRun.Result resumable(TrainConfig adapted, Supplier<Start> start, Path dir) {
        Start made = start.get();
        return ResumableRun.train(
                adapted,
                made.fresh(),
                made.auxiliary(),
                train,
                validation != null ? validation : test,
                augmentation,
                dir,
                log,
                // metrics.json is part of the run's record, whoever listens
                TrainingListener.all(List.of(new MetricsFile(), listener)));
    }

    /**
     * The network of a run that only its record kept: the weights kept beside the record ({@link
     * KeptNetwork}) when there are any, otherwise trained again (and kept, with {@code keep}).
     */
    private SpikingClassifier kept(
            TrainConfig adapted, Supplier<Start> start, Path dir, List<EpochMetrics> recorded, boolean keep) {
        if (Files.isRegularFile(dir.resolve(KeptNetwork.FILE))) {
            log.printf("%s: loading the network kept beside the record (%s)%n", dir, KeptNetwork.FILE);
            return KeptNetwork.restore(dir, recorded, start.get().fresh());
        }
        SpikingClassifier network = trainAgain(adapted, start, dir, recorded);
        if (keep) {
            KeptNetwork.keep(dir, adapted, network, recorded);
        }
        return network;
    }

    /**
     * The network of a run that only its record kept, trained again from the start: in the
     * environment that trained it, the same network bit for bit (docs/reproducibility.md), which is
     * checked against the record, since rows already taken from the record (its accuracy, and in
     * S2NN the rows fine-tuned from it or distilled from it) would otherwise not match the network.
     */
    private SpikingClassifier trainAgain(
            TrainConfig adapted, Supplier<Start> start, Path dir, List<EpochMetrics> recorded) {
        log.printf(
                "%s: the network is needed and only the record of its run is here (no %s): training it again%n",
                dir, CHECKPOINT);
        ResumableRun.Result again = resumable(adapted, start, dir);
        for (int i = 0; i < recorded.size(); i++) {
            EpochMetrics was = recorded.get(i);
            EpochMetrics now = again.history().get(i);
            if (was.trainLoss() != now.trainLoss()
                    || was.testLoss() != now.testLoss()
                    || was.testAccuracy() != now.testAccuracy()) {
                throw new SpikebitException(String.format(
                        Locale.ROOT,
                        "%s: trained again, the network does not repeat its record (epoch %d: test accuracy %s, "
                                + "recorded %s; train loss %s, recorded %s), so the environment differs from the one in "
                                + "its %s (docs/reproducibility.md). The folder now holds the new run: run the command "
                                + "again to collect the table from it, and delete the folders of rows fine-tuned or "
                                + "distilled from the old network so that they train from the new one",
                        dir,
                        i + 1,
                        now.testAccuracy(),
                        was.testAccuracy(),
                        now.trainLoss(),
                        was.trainLoss(),
                        MetricsFile.NAME));
            }
        }
        return again.model();
    }

    /** {@code supplier}'s value, made on the first call only. */
    static <T> Supplier<T> once(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    /**
     * The run's test accuracy, kept in {@value #TEST_SCORE_FILE} beside it: scored again only when
     * the run trained in this call or the file is for other test data.
     */
    private double testAccuracy(ResumableRun.Result run, Path dir) {
        if (run.reused()) {
            Double saved = savedTestAccuracy(dir, run.history().size());
            if (saved != null) {
                return saved;
            }
        }
        double accuracy = Evaluation.evaluate(run.model(), test, 256).accuracy();
        run.model().eval();
        log.printf("test accuracy %.2f%% (%s, %d images)%n", 100 * accuracy, test.name(), test.size());
        AtomicFiles.writeString(
                dir.resolve(TEST_SCORE_FILE), scoreKey(run.history().size()) + accuracy + "\n");
        return accuracy;
    }

    /** What {@value #TEST_SCORE_FILE} starts with: the test data and the epoch it scored. */
    private String scoreKey(int epochs) {
        return test.name() + ", " + test.size() + " images, after epoch " + epochs + ": ";
    }

    /**
     * The test accuracy saved in {@value #TEST_SCORE_FILE} after epoch {@code epochs} on this test
     * data, or null when there is none (no file, or one for other test data or another epoch).
     *
     * @throws SpikebitException naming the file when it is for this data but holds no accuracy
     */
    private Double savedTestAccuracy(Path dir, int epochs) {
        Path file = dir.resolve(TEST_SCORE_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String saved;
        try {
            saved = Files.readString(file).strip();
        } catch (IOException e) {
            throw new SpikebitException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        String key = scoreKey(epochs);
        if (!saved.startsWith(key)) {
            return null;
        }
        try {
            double accuracy = Double.parseDouble(saved.substring(key.length()));
            if (accuracy >= 0 && accuracy <= 1) {
                return accuracy;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new SpikebitException(file + ": \"" + saved.substring(key.length())
                + "\" is not a test accuracy in [0, 1]; delete the file to score the run again");
    }

    /** A setup with the defaults of {@code spikebit experiment} (see {@link Builder}). */
    public static Builder builder(String model, Dataset train, Dataset test, Path out) {
        return new Builder(model, train, test, out);
    }

    /**
     * Builds an {@link ExperimentSetup}. The defaults: 10 epochs, seed 1, learning rate 1e-3, no
     * validation set, no augmentation, no log, no listener, activity measured on {@value
     * #MEASURE_IMAGES} test images.
     */
    public static final class Builder {
        private final String model;
        private final Dataset train;
        private final Dataset test;
        private final Path out;
        private int epochs = 10;
        private List<Long> seeds = List.of(1L);
        private float lr = 1e-3f;
        private Dataset validation;
        private Augmentation augmentation;
        private PrintStream log = new PrintStream(OutputStream.nullOutputStream());
        private ExperimentListener listener = ExperimentListener.NONE;
        private int measureImages = MEASURE_IMAGES;

        private Builder(String model, Dataset train, Dataset test, Path out) {
            this.model = model;
            this.train = train;
            this.test = test;
            this.out = out;
        }

        public Builder epochs(int value) {
            this.epochs = value;
            return this;
        }

        public Builder seeds(List<Long> value) {
            this.seeds = value;
            return this;
        }

        public Builder lr(float value) {
            this.lr = value;
            return this;
        }

        /** Images held out of the training split: the caller passes the training images without them. */
        public Builder validation(Dataset value) {
            this.validation = value;
            return this;
        }

        public Builder augmentation(Augmentation value) {
            this.augmentation = value;
            return this;
        }

        public Builder log(PrintStream value) {
            this.log = value;
            return this;
        }

        public Builder listener(ExperimentListener value) {
            this.listener = value;
            return this;
        }

        public Builder measureImages(int value) {
            this.measureImages = value;
            return this;
        }

        public ExperimentSetup build() {
            return new ExperimentSetup(
                    model, epochs, seeds, lr, train, validation, test, augmentation, out, log, listener, measureImages);
        }
    }
}
