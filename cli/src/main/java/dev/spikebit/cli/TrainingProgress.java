package dev.spikebit.cli;

import dev.spikebit.train.MetricsFile;
import dev.spikebit.train.TrainingListener;
import java.io.PrintStream;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of a training epoch: a bar redrawn in place on a terminal; where stderr is a file
 * or a pipe (CI logs), one plain line every 15 seconds instead of hundreds of carriage returns.
 */
final class TrainingProgress implements TrainingListener {
    private final PrintStream log;
    private ProgressBar bar;

    TrainingProgress(PrintStream log) {
        this.log = log;
    }

    /**
     * What the commands that train attach: this bar on {@code log}, {@code metrics.json} and
     * {@code curves.png} in the run's directory.
     */
    static TrainingListener withOutputFiles(PrintStream log) {
        return TrainingListener.all(List.of(new TrainingProgress(log), new MetricsFile(), new TrainingPlot()));
    }

    @Override
    public void epochStarted(int epoch, int batches) {
        var builder = new ProgressBarBuilder()
                .setTaskName("epoch " + epoch)
                .setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII)
                .continuousUpdate();
        if (System.console() != null) {
            builder.setUpdateIntervalMillis(500).setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else {
            builder.setUpdateIntervalMillis(15_000).setConsumer(new DelegatingProgressBarConsumer(log::println));
        }
        bar = builder.build();
    }

    @Override
    public void batchFinished(int epoch, Progress progress) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(
                    " %.0f img/s, loss %.3f, acc %.1f%%",
                    progress.imagesPerSecond(), progress.loss(), 100 * progress.accuracy()));
        }
    }

    @Override
    public void batchesFinished(int epoch) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
