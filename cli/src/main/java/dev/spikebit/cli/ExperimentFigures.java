package dev.spikebit.cli;

import dev.spikebit.train.TrainingListener;
import dev.spikebit.train.experiment.ExperimentListener;
import dev.spikebit.train.experiment.ExperimentRow;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code spikebit experiment} draws while a table grows: the accuracy curves of the rows
 * ({@code NAME.png} beside the table), accuracy against bits per weight with error bars over seeds
 * ({@code NAME-bits.png}) and, for the S2NN table, one bar chart per measure; every
 * network's training reports to {@code runs} (progress bar, {@code metrics.json}, {@code curves.png}).
 */
final class ExperimentFigures implements ExperimentListener {
    private final TrainingListener runs;
    private final boolean bars;

    /** @param bars whether to draw the S2NN table's bar charts */
    ExperimentFigures(TrainingListener runs, boolean bars) {
        this.runs = runs;
        this.bars = bars;
    }

    @Override
    public void epochStarted(int epoch, int batches) {
        runs.epochStarted(epoch, batches);
    }

    @Override
    public void batchFinished(int epoch, Progress progress) {
        runs.batchFinished(epoch, progress);
    }

    @Override
    public void batchesFinished(int epoch) {
        runs.batchesFinished(epoch);
    }

    @Override
    public void epochFinished(EpochEnd end) {
        runs.epochFinished(end);
    }

    @Override
    public void tableWritten(Table table) {
        Charts.accuracyCurves(table.dir().resolve(table.name() + ".png"), table.title(), table.rows());
        Charts.accuracyVsBits(table.dir().resolve(table.name() + "-bits.png"), table.title(), table.rows());
        if (bars) {
            drawBars(table.dir(), table.rows());
        }
    }

    private static void drawBars(Path out, List<ExperimentRow> rows) {
        List<String> names = rows.stream().map(ExperimentRow::name).toList();
        Charts.bars(
                out.resolve("s2nn-accuracy.png"),
                "test accuracy (mean over seeds)",
                "test accuracy (%)",
                names,
                rows.stream().map(r -> 100 * r.accuracyMean()).toList());
        Charts.bars(
                out.resolve("s2nn-bits.png"),
                "bits per weight (deployed)",
                "bits/weight",
                names,
                rows.stream().map(ExperimentRow::bitsPerWeight).toList());
        Charts.bars(
                out.resolve("s2nn-bytes.png"),
                "deployed file size",
                "bytes",
                names,
                rows.stream().map(r -> (double) r.deployedBytes()).toList());
        Charts.bars(
                out.resolve("s2nn-ops.png"),
                "operations per image (MACs + ACs)",
                "operations",
                names,
                rows.stream().map(r -> r.macs() + r.acs()).toList());
        Charts.bars(
                out.resolve("s2nn-energy.png"),
                "energy per image (4.6 pJ/MAC, 0.9 pJ/AC)",
                "energy (nJ)",
                names,
                rows.stream().map(r -> r.energyPj() / 1000).toList());
    }
}
