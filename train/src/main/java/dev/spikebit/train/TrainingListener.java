package dev.spikebit.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link Trainer} reports while it runs, for whoever shows or stores it: a progress bar, the
 * {@code metrics.json} file ({@link MetricsFile}), a plot of the curves. The trainer itself only
 * trains, logs one line per epoch and writes its checkpoints; everything else is attached.
 *
 * <p>Calls come from the training thread, in order: per epoch {@link #epochStarted}, one
 * {@link #batchFinished} per batch, {@link #batchesFinished} (also when the epoch fails, so a
 * listener can release what it holds), then, after the test evaluation and the checkpoints,
 * {@link #epochFinished}.
 */
public interface TrainingListener {
    /**
     * Where an epoch's training pass stands after a batch.
     *
     * @param batch           batches done in this epoch, from 1
     * @param batches         batches in the epoch
     * @param images          images seen in this epoch
     * @param loss            mean task loss over those images
     * @param accuracy        training accuracy over those images, in [0, 1]
     * @param imagesPerSecond the epoch's rate so far
     */
    record Progress(int batch, int batches, long images, double loss, double accuracy, double imagesPerSecond) {}

    /**
     * A finished epoch: its metrics with the run's configuration, output directory and history.
     *
     * @param config  the run's configuration
     * @param outDir  the run's directory, which holds its checkpoints
     * @param metrics this epoch
     * @param history every epoch so far, this one last (resumed epochs included)
     */
    record EpochEnd(TrainConfig config, Path outDir, EpochMetrics metrics, List<EpochMetrics> history) {
        public EpochEnd {
            history = List.copyOf(history);
        }
    }

    /** Nothing: the listener of a run nobody watches. */
    TrainingListener NONE = new TrainingListener() {};

    /** An epoch's training pass begins; it will run {@code batches} batches. */
    default void epochStarted(int epoch, int batches) {}

    /** One more batch was trained. */
    default void batchFinished(int epoch, Progress progress) {}

    /** The training pass of the epoch is over (or failed); the test evaluation follows. */
    default void batchesFinished(int epoch) {}

    /** The epoch was evaluated and its checkpoints written. */
    default void epochFinished(EpochEnd end) {}

    /** All of {@code listeners}, called in the order given. */
    static TrainingListener all(List<? extends TrainingListener> listeners) {
        List<TrainingListener> each = List.copyOf(listeners);
        return new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int batches) {
                each.forEach(l -> l.epochStarted(epoch, batches));
            }

            @Override
            public void batchFinished(int epoch, Progress progress) {
                each.forEach(l -> l.batchFinished(epoch, progress));
            }

            @Override
            public void batchesFinished(int epoch) {
                each.forEach(l -> l.batchesFinished(epoch));
            }

            @Override
            public void epochFinished(EpochEnd end) {
                each.forEach(l -> l.epochFinished(end));
            }
        };
    }
}
