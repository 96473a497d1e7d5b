package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.core.kernels.ComputeEnvironment;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.augment.Augmentation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A training run in its own directory that picks up where an earlier attempt left it. The
 * directory's {@code run.txt} records what the run is (its {@link TrainConfig}, the data it sees and
 * any auxiliary loss); when it matches and {@code last.safetensors} holds all epochs, the run is
 * reused as it is, when it holds fewer, training resumes after the last saved epoch, and otherwise
 * the run starts from the beginning. The experiments train each table row this way, so a table
 * stopped half-way (a killed process, a machine that went away) continues row by row and epoch by
 * epoch instead of starting over; {@code spikebit compress} does too. Once the checkpoints are
 * gone, the experiments still reuse a finished run from its {@link RunRecord}.
 */
public final class ResumableRun {
    static final String STAMP_FILE = "run.txt";

    /**
     * A finished run.
     *
     * @param model   the trained network (in evaluation mode)
     * @param history every epoch's metrics
     * @param reused  whether every epoch came from an earlier attempt
     */
    public record Result(SpikingClassifier model, List<EpochMetrics> history, boolean reused) {
        /** Test accuracy after the last epoch. */
        public double finalAccuracy() {
            return history.isEmpty()
                    ? Double.NaN
                    : history.get(history.size() - 1).testAccuracy();
        }
    }

    private ResumableRun() {}

    /**
     * Trains {@code fresh} (a newly built network of {@code config.spec()}) for {@code config.epochs()}
     * into {@code dir}, or reuses or resumes the run already there.
     *
     * @param auxiliary an extra loss term (MPFD), or null
     * @param listener  told about the run's epochs (see {@link Trainer#withListener})
     */
    public static Result train(
            TrainConfig config,
            SpikingClassifier fresh,
            AuxiliaryLoss auxiliary,
            Dataset train,
            Dataset test,
            Path dir,
            PrintStream log,
            TrainingListener listener) {
        return train(config, fresh, auxiliary, train, test, null, dir, log, listener);
    }

    /**
     * As {@link #train(TrainConfig, SpikingClassifier, AuxiliaryLoss, Dataset, Dataset, Path,
     * PrintStream, TrainingListener)}, with the training images augmented (a run whose {@code
     * config.augment()} is set) and scored after each epoch on {@code evaluation}: the test split,
     * or the validation images when {@code config.validation() > 0}.
     *
     * @param augmentation the training augmentation, or null
     */
    public static Result train(
            TrainConfig config,
            SpikingClassifier fresh,
            AuxiliaryLoss auxiliary,
            Dataset train,
            Dataset evaluation,
            Augmentation augmentation,
            Path dir,
            PrintStream log,
            TrainingListener listener) {
        Dataset test = evaluation;
        // The auxiliary loss is closed however the run ends (also when reused or failed).
        try {
            String stamp = stamp(config, auxiliary == null ? null : auxiliary.describe(), train, test);
            Path last = dir.resolve("last.safetensors");
            Trainer trainer = new Trainer(config, fresh, train, test, augmentation, dir, log)
                    .evaluatedOn(config.validation() > 0 ? "validation" : "test")
                    .withAuxiliaryLoss(auxiliary)
                    .withListener(listener);
            if (Files.exists(last) && stamp.equals(readStamp(dir))) {
                Checkpoint saved = Checkpoint.load(last);
                int epoch =
                        ResumeMetadata.progress(saved, TrainConfig.MAX_EPOCHS).epoch();
                if (epoch == config.epochs()) {
                    saved.restoreModel(fresh);
                    fresh.eval();
                    log.printf("reusing %s (all %d epochs done)%n", last, epoch);
                    return new Result(fresh, history(saved), true);
                }
                if (epoch < config.epochs()) {
                    saved.environment()
                            .ifPresent(recorded -> RecordedEnvironment.report(
                                    recorded, ComputeEnvironment.current(), last.toString(), log));
                    trainer.resumeFrom(saved);
                }
            } else if (Files.exists(last)) {
                log.printf("%s holds a different run (%s differs); training from the start%n", dir, STAMP_FILE);
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new SpikebitException(dir + ": cannot create the output directory: " + e.getMessage());
            }
            AtomicFiles.writeString(dir.resolve(STAMP_FILE), stamp);
            List<EpochMetrics> history = trainer.run();
            fresh.eval();
            return new Result(fresh, history, false);
        } finally {
            if (auxiliary != null) {
                auxiliary.close();
            }
        }
    }

    /**
     * What a run is: configuration, data and auxiliary loss (its {@link AuxiliaryLoss#describe}, null
     * for none), one per line.
     */
    static String stamp(TrainConfig config, String auxiliary, Dataset train, Dataset test) {
        return "config " + config.toJson() + "\n"
                + "train " + train.name() + ", " + train.size() + " images\n"
                + "test " + test.name() + ", " + test.size() + " images\n"
                + "auxiliary " + (auxiliary == null ? "none" : auxiliary) + "\n";
    }

    static String readStamp(Path dir) {
        try {
            return Files.readString(dir.resolve(STAMP_FILE));
        } catch (IOException e) {
            return "";
        }
    }

    private static List<EpochMetrics> history(Checkpoint saved) {
        try {
            return EpochMetrics.listFromJson(saved.info("history", "[]"));
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(saved.source() + ": the saved metrics history is not valid JSON");
        }
    }
}
