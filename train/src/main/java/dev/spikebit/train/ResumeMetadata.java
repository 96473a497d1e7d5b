package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads what a checkpoint says about the run that wrote it: the training configuration
 * ({@code train_config}), the last finished epoch ({@code epoch}), the best test accuracy so far
 * ({@code best_accuracy}) and the metrics of every epoch ({@code history}).
 *
 * <p>A checkpoint is a file a user hands over, so its metadata is checked as strictly as the
 * command line: every value must parse, lie in the range a new run accepts and agree with the
 * others. Each failure is a {@link SpikebitException} naming the file and the field.
 */
public final class ResumeMetadata {
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,9}");

    /**
     * Where a run stands.
     *
     * @param epoch        the last finished epoch, 0 when none
     * @param bestAccuracy the best test accuracy so far in [0, 1], or -1 when none
     * @param history      the metrics of epochs 1..epoch
     */
    public record Progress(int epoch, double bestAccuracy, List<EpochMetrics> history) {}

    private ResumeMetadata() {}

    /**
     * The saved training configuration, checked like a new run's options.
     *
     * @param epochs a new total number of epochs (from {@code --epochs}), or null for the saved one
     */
    public static TrainConfig config(Checkpoint checkpoint, Integer epochs) {
        String json = checkpoint.info("train_config", null);
        if (json == null) {
            throw new SpikebitException(
                    checkpoint.source() + ": holds no training configuration and cannot be resumed");
        }
        TrainConfig c;
        try {
            c = TrainConfig.fromJson(json);
        } catch (SpikebitException e) {
            if (e.getMessage().startsWith("train_config.")) {
                // An optimizer or loss of no known name: "train_config.loss must be one of ce, tet, got ..."
                throw new SpikebitException(checkpoint.source() + ": " + abbreviate(e.getMessage()));
            }
            throw new SpikebitException(checkpoint.source() + ": train_config is not a valid training configuration: "
                    + abbreviate(e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(checkpoint.source() + ": train_config is not a valid training configuration: "
                    + abbreviate(e.getMessage()));
        }
        try {
            c.validated(TrainConfig.Naming.FIELDS);
        } catch (SpikebitException e) {
            throw new SpikebitException(checkpoint.source() + ": " + e.getMessage());
        }
        if (epochs == null) {
            return c;
        }
        return c.withEpochs(epochs).validated(TrainConfig.Naming.OPTIONS);
    }

    /**
     * The epoch, best accuracy and history, checked against each other and against
     * {@code maxEpoch} (the last epoch the run may have reached).
     */
    public static Progress progress(Checkpoint checkpoint, int maxEpoch) {
        String source = checkpoint.source().toString();
        String epochText = checkpoint.info("epoch", "0");
        if (!WHOLE_NUMBER.matcher(epochText).matches()) {
            throw new SpikebitException(
                    source + ": epoch must be a whole number >= 0, got \"" + abbreviate(epochText) + "\"");
        }
        int epoch = Integer.parseInt(epochText);
        if (epoch > maxEpoch) {
            throw new SpikebitException(source + ": epoch " + epoch + " is past the run's last epoch " + maxEpoch
                    + " (give --epochs " + "above " + epoch + " to train further)");
        }
        String bestText = checkpoint.info("best_accuracy", "-1");
        double best;
        try {
            best = Double.parseDouble(bestText);
        } catch (NumberFormatException e) {
            throw new SpikebitException(
                    source + ": best_accuracy must be a number, got \"" + abbreviate(bestText) + "\"");
        }
        if (!(best == -1 || (best >= 0 && best <= 1))) {
            throw new SpikebitException(
                    source + ": best_accuracy must be in [0, 1] (or -1 for none), got " + abbreviate(bestText));
        }
        List<EpochMetrics> history;
        try {
            history = EpochMetrics.listFromJson(checkpoint.info("history", "[]"));
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(
                    source + ": history is not a valid list of epoch metrics: " + abbreviate(e.getMessage()));
        }
        if (history.size() != epoch) {
            throw new SpikebitException(source + ": history holds " + history.size() + " epochs, epoch says " + epoch);
        }
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).epoch() != i + 1) {
                throw new SpikebitException(source + ": history entry " + i + " is epoch "
                        + history.get(i).epoch() + ", expected " + (i + 1));
            }
        }
        return new Progress(epoch, best, history);
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
