package dev.spikebit.train;

import dev.spikebit.core.Named;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.optim.ScheduleSpec;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run depends on besides the data; saved in checkpoints (as JSON, with the
 * optimizer and loss written by their names) so that {@code --resume} continues with the same
 * settings. {@link #builder} starts from the defaults of {@code spikebit train}.
 *
 * @param spec        the model to train
 * @param epochs      total number of epochs (a resumed run continues up to this number)
 * @param batchSize   images per batch
 * @param optimizer   the optimizer
 * @param lr          base learning rate
 * @param weightDecay weight decay (weights only, docs/methods.md 5)
 * @param momentum    SGD momentum
 * @param schedule    cosine, constant or step:EVERY:GAMMA, stepped per batch (a {@link ScheduleSpec}: the
 *                    schedule's length depends on the data, so the configuration keeps its kind)
 * @param loss        the loss
 * @param augment     random crop (pad 2 for 28x28, 4 otherwise) and horizontal flip
 * @param seed        fixes initialisation, shuffling and augmentation
 * @param trainLimit  use only the first N training images (0 = all)
 * @param testLimit   evaluate on the first N test images (0 = all)
 * @param validation  hold this many training images out (a fixed, seeded choice, {@code ValidationSplit})
 *                    and evaluate on them after each epoch instead of the test set (0 = none)
 */
public record TrainConfig(
        ModelSpec spec,
        int epochs,
        int batchSize,
        Optimizer optimizer,
        float lr,
        float weightDecay,
        float momentum,
        ScheduleSpec schedule,
        Loss loss,
        boolean augment,
        long seed,
        int trainLimit,
        int testLimit,
        int validation) {
    /** More epochs than this is a damaged file or a typo, not a training plan. */
    public static final int MAX_EPOCHS = 100_000;
    /** Larger batches do not fit a training step's activations in any heap this tool runs in. */
    public static final int MAX_BATCH = 65_536;

    /** The optimizers a run may use, by the names the command line and checkpoints give them. */
    public enum Optimizer implements Named {
        /** Adam with L2 weight decay added to the gradient. */
        ADAM("adam"),
        /** Adam with decoupled weight decay. */
        ADAMW("adamw"),
        /** SGD with momentum. */
        SGD("sgd"),
        /** SGD with Nesterov momentum. */
        NESTEROV("nesterov");

        private final String id;

        Optimizer(String id) {
            this.id = id;
        }

        /** The name in options and files, e.g. {@code adamw}. */
        @Override
        public String id() {
            return id;
        }
    }

    /** The losses a run may use, by the names the command line and checkpoints give them. */
    public enum Loss implements Named {
        /** Cross-entropy of the output averaged over the time steps. */
        CE("ce"),
        /** Temporal efficient training: the cross-entropy at every time step, averaged. */
        TET("tet");

        private final String id;

        Loss(String id) {
            this.id = id;
        }

        /** The name in options and files, e.g. {@code tet}. */
        @Override
        public String id() {
            return id;
        }
    }

    /** The JSON fields, in the order files hold them. */
    private static final List<String> FIELDS = List.of(
            "spec",
            "epochs",
            "batchSize",
            "optimizer",
            "lr",
            "weightDecay",
            "momentum",
            "schedule",
            "loss",
            "augment",
            "seed",
            "trainLimit",
            "testLimit",
            "validation");

    /** The configuration as checkpoints store it ({@code train_config}): one JSON object, fields in record order. */
    public String toJson() {
        return Json.write(json());
    }

    /** The fields of {@link #toJson} as a map, for files that hold the configuration in a larger object. */
    public Map<String, Object> json() {
        List<Object> values = List.of(
                spec.json(),
                epochs,
                batchSize,
                optimizer.id(),
                lr,
                weightDecay,
                momentum,
                schedule.id(),
                loss.id(),
                augment,
                seed,
                trainLimit,
                testLimit,
                validation);
        Map<String, Object> json = new LinkedHashMap<>();
        for (int i = 0; i < FIELDS.size(); i++) {
            json.put(FIELDS.get(i), values.get(i));
        }
        if (validation == 0) {
            // absent, as in files written before the field existed, so their runs still match
            json.remove("validation");
        }
        return json;
    }

    /**
     * Reads what {@link #toJson} wrote, not yet checked against the ranges of a new run
     * ({@link #validated} does that). An absent field reads as null or 0, which {@link #validated}
     * then names.
     *
     * @throws SpikebitException "train_config.optimizer must be one of ..." for an unknown name
     * @throws IllegalArgumentException naming the field whose value has the wrong type
     */
    public static TrainConfig fromJson(String text) {
        JsonObject json = JsonObject.parse(text, "train_config").allowOnly(FIELDS);
        JsonObject spec = json.object("spec");
        String optimizer = json.text("optimizer", null);
        String loss = json.text("loss", null);
        String schedule = json.text("schedule", null);
        return new TrainConfig(
                spec == null ? null : ModelSpec.of(spec),
                json.integer("epochs", 0),
                json.integer("batchSize", 0),
                optimizer == null ? null : Naming.FIELDS.optimizer(optimizer),
                json.number("lr", 0f),
                json.number("weightDecay", 0f),
                json.number("momentum", 0f),
                schedule == null ? null : Naming.FIELDS.schedule(schedule),
                loss == null ? null : Naming.FIELDS.loss(loss),
                json.bool("augment", false),
                json.longInteger("seed", 0),
                json.integer("trainLimit", 0),
                json.integer("testLimit", 0),
                json.integer("validation", 0));
    }

    /** A configuration for {@code spec} with the defaults of {@code spikebit train} (see {@link Builder}). */
    public static Builder builder(ModelSpec spec) {
        return new Builder(spec);
    }

    /** This configuration as a builder, to change a few fields. */
    public Builder toBuilder() {
        return new Builder(spec)
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(optimizer)
                .lr(lr)
                .weightDecay(weightDecay)
                .momentum(momentum)
                .schedule(schedule)
                .loss(loss)
                .augment(augment)
                .seed(seed)
                .trainLimit(trainLimit)
                .testLimit(testLimit)
                .validation(validation);
    }

    /** This configuration for another model description (a dataset's input size and classes). */
    public TrainConfig withSpec(ModelSpec other) {
        return toBuilder().spec(other).build();
    }

    /** This configuration with another epoch budget (a resumed run given {@code --epochs}). */
    public TrainConfig withEpochs(int total) {
        return toBuilder().epochs(total).build();
    }

    /**
     * Builds a {@link TrainConfig}. The defaults are those of {@code spikebit train}: 5 epochs,
     * batches of 64, Adam at learning rate 1e-3 without weight decay (momentum 0.9 for SGD), cosine
     * decay, cross-entropy on the time-mean output, no augmentation, seed 1, all the data.
     */
    public static final class Builder {
        private ModelSpec spec;
        private int epochs = 5;
        private int batchSize = 64;
        private Optimizer optimizer = Optimizer.ADAM;
        private float lr = 1e-3f;
        private float weightDecay = 0f;
        private float momentum = 0.9f;
        private ScheduleSpec schedule = ScheduleSpec.COSINE;
        private Loss loss = Loss.CE;
        private boolean augment = false;
        private long seed = 1;
        private int trainLimit = 0;
        private int testLimit = 0;
        private int validation = 0;

        private Builder(ModelSpec spec) {
            this.spec = spec;
        }

        public Builder spec(ModelSpec value) {
            this.spec = value;
            return this;
        }

        public Builder epochs(int value) {
            this.epochs = value;
            return this;
        }

        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        public Builder optimizer(Optimizer value) {
            this.optimizer = value;
            return this;
        }

        public Builder lr(float value) {
            this.lr = value;
            return this;
        }

        public Builder weightDecay(float value) {
            this.weightDecay = value;
            return this;
        }

        public Builder momentum(float value) {
            this.momentum = value;
            return this;
        }

        public Builder schedule(ScheduleSpec value) {
            this.schedule = value;
            return this;
        }

        /**
         * {@code cosine}, {@code constant} or {@code step:EVERY:GAMMA}.
         *
         * @throws SpikebitException naming the schedule when {@code text} does not parse
         */
        public Builder schedule(String text) {
            return schedule(ScheduleSpec.parse(text));
        }

        public Builder loss(Loss value) {
            this.loss = value;
            return this;
        }

        public Builder augment(boolean value) {
            this.augment = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder trainLimit(int value) {
            this.trainLimit = value;
            return this;
        }

        public Builder testLimit(int value) {
            this.testLimit = value;
            return this;
        }

        public Builder validation(int value) {
            this.validation = value;
            return this;
        }

        /** The configuration, not yet checked ({@link TrainConfig#validated} does that). */
        public TrainConfig build() {
            return new TrainConfig(
                    spec,
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
                    testLimit,
                    validation);
        }
    }

    /**
     * How a field is called where the configuration came from: a command-line option for a new
     * run, the JSON field of a checkpoint's {@code train_config} for a resumed one.
     */
    public enum Naming {
        OPTIONS,
        FIELDS;

        /** How the field is called here. */
        public String of(String option, String field) {
            return this == OPTIONS ? option : "train_config." + field;
        }

        /** The optimizer named {@code id}; an unknown name is refused naming this field. */
        public Optimizer optimizer(String id) {
            return Named.of(Optimizer.values(), id, of("--optimizer", "optimizer"));
        }

        /** The loss named {@code id}; an unknown name is refused naming this field. */
        public Loss loss(String id) {
            return Named.of(Loss.values(), id, of("--loss", "loss"));
        }

        /** The schedule {@code text} names; one that does not parse is refused naming this field. */
        public ScheduleSpec schedule(String text) {
            try {
                return ScheduleSpec.parse(text);
            } catch (SpikebitException e) {
                throw new SpikebitException(of("--schedule", "schedule") + ": " + e.getMessage());
            }
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
        if (optimizer == null) {
            throw new SpikebitException(naming.of("--optimizer", "optimizer") + " is missing");
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
        if (loss == null) {
            throw new SpikebitException(naming.of("--loss", "loss") + " is missing");
        }
        if (trainLimit < 0) {
            throw new SpikebitException(
                    naming.of("--train-limit", "trainLimit") + " must be >= 0 (0 = all), got " + trainLimit);
        }
        if (testLimit < 0) {
            throw new SpikebitException(
                    naming.of("--test-limit", "testLimit") + " must be >= 0 (0 = all), got " + testLimit);
        }
        if (validation < 0) {
            throw new SpikebitException(
                    naming.of("--validation", "validation") + " must be >= 0 (0 = none), got " + validation);
        }
        return this;
    }
}
