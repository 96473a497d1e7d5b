package dev.spikebit.train.experiment;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.train.AuxiliaryLoss;
import dev.spikebit.train.ResumableRun;
import dev.spikebit.train.TrainConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What the ReverB and S2NN experiments share: the zoo model, the training budget and seeds, the
 * data, where the runs and tables go, and who hears about them. {@link #builder} starts from the
 * defaults of {@code spikebit experiment}.
 *
 * @param model         the zoo model every row trains
 * @param epochs        epochs per network
 * @param seeds         the seeds, one run per row and seed
 * @param lr            Adam's learning rate
 * @param train         the training data
 * @param test          the test data (accuracy, and the deployed model's activity)
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
        Dataset test,
        Path out,
        PrintStream log,
        ExperimentListener listener,
        int measureImages) {
    /** Test images the activity of each row's deployed model is measured on, unless set. */
    public static final int MEASURE_IMAGES = 1000;

    public ExperimentSetup {
        seeds = List.copyOf(seeds);
        listener = listener == null ? ExperimentListener.NONE : listener;
    }

    /**
     * Trains a new network of {@code spec} with this budget and seed into {@code dir} (or reuses or
     * resumes the run already there, {@link ResumableRun}).
     */
    ResumableRun.Result train(ModelSpec spec, long seed, Path dir) {
        TrainConfig config =
                TrainConfig.builder(spec).epochs(epochs).lr(lr).seed(seed).build();
        return train(config, QuantModels.build(spec, seed), null, dir);
    }

    /** Trains {@code fresh} as {@code config} says on this data into {@code dir}, through {@link ResumableRun}. */
    ResumableRun.Result train(TrainConfig config, SpikingClassifier fresh, AuxiliaryLoss auxiliary, Path dir) {
        return ResumableRun.train(config, fresh, auxiliary, train, test, dir, log, listener);
    }

    /** A setup with the defaults of {@code spikebit experiment} (see {@link Builder}). */
    public static Builder builder(String model, Dataset train, Dataset test, Path out) {
        return new Builder(model, train, test, out);
    }

    /**
     * Builds an {@link ExperimentSetup}. The defaults: 10 epochs, seed 1, learning rate 1e-3, no
     * log, no listener, activity measured on {@value #MEASURE_IMAGES} test images.
     */
    public static final class Builder {
        private final String model;
        private final Dataset train;
        private final Dataset test;
        private final Path out;
        private int epochs = 10;
        private List<Long> seeds = List.of(1L);
        private float lr = 1e-3f;
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
            return new ExperimentSetup(model, epochs, seeds, lr, train, test, out, log, listener, measureImages);
        }
    }
}
