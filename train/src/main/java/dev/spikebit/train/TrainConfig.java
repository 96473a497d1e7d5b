package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.optim.LrSchedule;
import java.util.List;

/**
 * Everything a training run depends on besides the data; saved in checkpoints so that
 * {@code --resume} continues with the same settings.
 *
 * @param spec        the model to train
 * @param epochs      total number of epochs (a resumed run continues up to this number)
 * @param batchSize   images per batch
 * @param optimizer   {@code adam}, {@code adamw} or {@code sgd}
 * @param lr          base learning rate
 * @param weightDecay weight decay (weights only, docs/methods.md 5)
 * @param momentum    SGD momentum
 * @param schedule    {@code cosine}, {@code constant} or {@code step:EVERY:GAMMA}, stepped per batch
 * @param loss        {@code ce} (cross-entropy of the time-mean output) or {@code tet}
 * @param augment     random crop (pad 2 for 28x28, 4 otherwise) and horizontal flip
 * @param seed        fixes initialisation, shuffling and augmentation
 * @param trainLimit  use only the first N training images (0 = all)
 * @param testLimit   evaluate on the first N test images (0 = all)
 */
public record TrainConfig(
        ModelSpec spec,
        int epochs,
        int batchSize,
        String optimizer,
        float lr,
        float weightDecay,
        float momentum,
        String schedule,
        String loss,
        boolean augment,
        long seed,
        int trainLimit,
        int testLimit) {
    /** The optimizers a run may name. */
    public static final List<String> OPTIMIZERS = List.of("adam", "adamw", "sgd", "nesterov");
    /** The losses a run may name. */
    public static final List<String> LOSSES = List.of("ce", "tet");
    /** More epochs than this is a damaged file or a typo, not a training plan. */
    public static final int MAX_EPOCHS = 100_000;
    /** Larger batches do not fit a training step's activations in any heap this tool runs in. */
    public static final int MAX_BATCH = 65_536;

    /** This configuration for another model description (a dataset's input size and classes). */
    public TrainConfig withSpec(ModelSpec other) {
        return new TrainConfig(
                other,
                epochs,
                batchSize,
                optimizer,
                lr,
                weightDecay,
                momentum,
                schedule,
                loss,
                augment,
                seed,
                trainLimit,
                testLimit);
    }

    /** This configuration with another epoch budget (a resumed run given {@code --epochs}). */
    public TrainConfig withEpochs(int total) {
        return new TrainConfig(
                spec,
                total,
                batchSize,
                optimizer,
                lr,
                weightDecay,
                momentum,
                schedule,
                loss,
                augment,
                seed,
                trainLimit,
                testLimit);
    }

    /**
     * How a field is called where the configuration came from: a command-line option for a new
     * run, the JSON field of a checkpoint's {@code train_config} for a resumed one.
     */
    public enum Naming {
        OPTIONS,
        FIELDS;

        String of(String option, String field) {
            return this == OPTIONS ? option : "train_config." + field;
        }
    }

    /**
     * Checks every field against the range a new run accepts, so that a resumed run is held to the
     * same rules as one typed on the command line.
     *
     * @throws SpikebitException naming the first field out of range, its allowed range and its value
     */
    public TrainConfig validated(Naming naming) {
        if (spec == null) {
            throw new SpikebitException(naming.of("--model", "spec") + " is missing");
        }
        if (epochs < 1 || epochs > MAX_EPOCHS) {
            throw new SpikebitException(
                    naming.of("--epochs", "epochs") + " must be in 1.." + MAX_EPOCHS + ", got " + epochs);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new SpikebitException(
                    naming.of("--batch", "batchSize") + " must be in 1.." + MAX_BATCH + ", got " + batchSize);
        }
        if (optimizer == null || !OPTIMIZERS.contains(optimizer)) {
            throw new SpikebitException(naming.of("--optimizer", "optimizer") + " must be one of "
                    + String.join(", ", OPTIMIZERS) + ", got \"" + optimizer + "\"");
        }
        if (!Float.isFinite(lr) || lr <= 0) {
            throw new SpikebitException(naming.of("--lr", "lr") + " must be a finite number > 0, got " + lr);
        }
        if (!Float.isFinite(weightDecay) || weightDecay < 0) {
            throw new SpikebitException(
                    naming.of("--weight-decay", "weightDecay") + " must be a finite number >= 0, got " + weightDecay);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new SpikebitException(naming.of("--momentum", "momentum") + " must be in [0, 1), got " + momentum);
        }
        if (schedule == null) {
            throw new SpikebitException(naming.of("--schedule", "schedule") + " is missing");
        }
        try {
            LrSchedule.parse(schedule, lr, 1);
        } catch (SpikebitException e) {
            throw new SpikebitException(naming.of("--schedule", "schedule") + ": " + e.getMessage());
        }
        if (loss == null || !LOSSES.contains(loss)) {
            throw new SpikebitException(naming.of("--loss", "loss") + " must be one of " + String.join(", ", LOSSES)
                    + ", got \"" + loss + "\"");
        }
        if (trainLimit < 0) {
            throw new SpikebitException(
                    naming.of("--train-limit", "trainLimit") + " must be >= 0 (0 = all), got " + trainLimit);
        }
        if (testLimit < 0) {
            throw new SpikebitException(
                    naming.of("--test-limit", "testLimit") + " must be >= 0 (0 = all), got " + testLimit);
        }
        return this;
    }
}
