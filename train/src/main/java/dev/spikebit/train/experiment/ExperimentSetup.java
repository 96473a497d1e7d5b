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
import dev.spikebit.train.ResumableRun;
import dev.spikebit.train.TrainConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
     * @param model              the trained network, in evaluation mode
     * @param history            its epochs (their evaluation is on the validation set when there is one)
     * @param validationAccuracy the final validation accuracy, NaN without a validation set
     * @param testAccuracy       the final test accuracy
     */
    public record Trained(
            SpikingClassifier model,
            List<EpochMetrics> history,
            double validationAccuracy,
            double testAccuracy,
            boolean reused) {}

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
        return train(config(spec, seed), QuantModels.build(spec, seed), null, dir);
    }

    /**
     * Trains {@code fresh} as {@code config} says (with this setup's augmentation and validation
     * split) into {@code dir}, through {@link ResumableRun}, and scores it on the test set.
     */
    Trained train(TrainConfig config, SpikingClassifier fresh, AuxiliaryLoss auxiliary, Path dir) {
        TrainConfig adapted = adapted(config);
        ResumableRun.Result run = ResumableRun.train(
                adapted,
                fresh,
                auxiliary,
                train,
                validation != null ? validation : test,
                augmentation,
                dir,
                log,
                listener);
        if (validation == null) {
            return new Trained(run.model(), run.history(), Double.NaN, run.finalAccuracy(), run.reused());
        }
        return new Trained(run.model(), run.history(), run.finalAccuracy(), testAccuracy(run, dir), run.reused());
    }

    /**
     * The run's test accuracy, kept in {@value #TEST_SCORE_FILE} beside it: scored again only when
     * the run trained in this call or the file is for other test data.
     */
    private double testAccuracy(ResumableRun.Result run, Path dir) {
        Path file = dir.resolve(TEST_SCORE_FILE);
        String key = test.name() + ", " + test.size() + " images, after epoch "
                + run.history().size() + ": ";
        if (run.reused() && Files.exists(file)) {
            try {
                String saved = Files.readString(file).strip();
                if (saved.startsWith(key)) {
                    return Double.parseDouble(saved.substring(key.length()));
                }
            } catch (IOException | NumberFormatException e) {
                log.printf("%s: unreadable (%s); scoring the test set again%n", file, e.getMessage());
            }
        }
        double accuracy = Evaluation.evaluate(run.model(), test, 256).accuracy();
        run.model().eval();
        log.printf("test accuracy %.2f%% (%s, %d images)%n", 100 * accuracy, test.name(), test.size());
        AtomicFiles.writeString(file, key + accuracy + "\n");
        return accuracy;
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
