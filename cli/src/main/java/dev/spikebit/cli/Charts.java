package dev.spikebit.cli;

import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.experiment.ExperimentRow;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;

/** The PNG figures of the commands: pattern histograms, per-row bar charts and the experiments' curves. */
public final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;
    private static final int WIDE_WIDTH = 1400;
    private static final int WIDE_HEIGHT = 800;

    private Charts() {}

    /**
     * A layer's sign-pattern histogram, patterns in rank order: each pattern's share of the
     * kernels and the cumulative share, with the codebook sizes 16, 32 and 64 marked in the legend.
     */
    public static void patternHistogram(Path path, String title, long[] rankedCounts) {
        long total = 0;
        for (long c : rankedCounts) {
            total += c;
        }
        int n = rankedCounts.length;
        double[] x = new double[n];
        double[] share = new double[n];
        double[] cumulative = new double[n];
        double run = 0;
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            share[i] = 100.0 * rankedCounts[i] / Math.max(1, total);
            run += share[i];
            cumulative[i] = run;
        }
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("pattern rank (of 512)")
                .yAxisTitle("% of kernels, cumulative")
                .build();
        chart.getStyler().setXAxisLogarithmic(true);
        var perPattern = chart.addSeries("share of kernels per pattern (outer axis)", x, share);
        perPattern.setYAxisGroup(1);
        chart.setYAxisGroupTitle(1, "% of kernels, per pattern");
        chart.addSeries(
                String.format(
                        "cumulative (top 16: %.1f%%, 32: %.1f%%, 64: %.1f%%)",
                        cumulative[15], cumulative[31], cumulative[63]),
                x,
                cumulative);
        write(path, chart);
    }

    /** One bar per row. */
    public static void bars(Path path, String title, String yTitle, List<String> rows, List<Double> values) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setPlotMargin(40);
        chart.addSeries(yTitle, rows, values);
        write(path, chart);
    }

    /**
     * The accuracy curve of each row of an experiment, averaged over its seeds: test accuracy, or
     * validation accuracy when the experiment held a validation set out (its epochs are scored on it).
     */
    static void accuracyCurves(Path path, String title, List<ExperimentRow> rows) {
        boolean validation =
                rows.stream().anyMatch(r -> !r.validationAccuracies().isEmpty());
        String scored = validation ? "validation accuracy" : "test accuracy";
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title + ": " + scored)
                .xAxisTitle("epoch")
                .yAxisTitle(scored + " (%)")
                .build();
        for (ExperimentRow r : rows) {
            List<EpochMetrics> first = r.curves().get(0);
            int epochs = first.size();
            double[] x = new double[epochs];
            double[] y = new double[epochs];
            for (int e = 0; e < epochs; e++) {
                x[e] = e + 1;
                double sum = 0;
                for (List<EpochMetrics> curve : r.curves()) {
                    sum += curve.get(e).testAccuracy();
                }
                y[e] = 100 * sum / r.curves().size();
            }
            chart.addSeries(r.name(), x, y);
        }
        write(path, chart);
    }

    /**
     * Test accuracy against the deployed network's bits per weight, one point per row: the mean
     * over seeds with an error bar of one sample standard deviation (none with one seed).
     */
    static void accuracyVsBits(Path path, String title, List<ExperimentRow> rows) {
        // wider and taller than the other figures: the legend names every row (a full S2NN table has about 20)
        XYChart chart = new XYChartBuilder()
                .width(WIDE_WIDTH)
                .height(WIDE_HEIGHT)
                .title(title + ": accuracy against bits per weight")
                .xAxisTitle("bits per weight of the deployed network (log scale)")
                .yAxisTitle("test accuracy (%), mean +- sd over seeds")
                .build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        for (ExperimentRow r : rows) {
            String label = String.format(
                    Locale.ROOT,
                    "%s (%.3f bit, %d seed%s)",
                    r.name(),
                    r.bitsPerWeight(),
                    r.accuracies().size(),
                    r.accuracies().size() == 1 ? "" : "s");
            chart.addSeries(
                    label, new double[] {r.bitsPerWeight()}, new double[] {100 * r.accuracyMean()}, new double[] {
                        100 * r.accuracyStd()
                    });
        }
        write(path, chart);
    }

    private static void write(Path path, Chart<?, ?> chart) {
        System.setProperty("java.awt.headless", "true");
        int width = chart.getWidth();
        int height = chart.getHeight();
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        chart.paint(g, width, height);
        g.dispose();
        AtomicFiles.write(path, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer");
            }
        });
    }
}
