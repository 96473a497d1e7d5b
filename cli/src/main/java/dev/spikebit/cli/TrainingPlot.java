package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainingListener;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The loss and accuracy curves of a run, side by side in one PNG; as a listener it redraws
 * {@code curves.png} in the run's directory after every epoch.
 */
final class TrainingPlot implements TrainingListener {
    static final String NAME = "curves.png";

    @Override
    public void epochFinished(EpochEnd end) {
        write(end.outDir().resolve(NAME), end.config().spec().model(), end.history());
    }

    public static void write(Path path, String title, List<EpochMetrics> epochs) {
        if (epochs.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        double[] x = epochs.stream().mapToDouble(EpochMetrics::epoch).toArray();
        XYChart loss = chart(title + ": loss", "cross-entropy");
        loss.addSeries(
                "train", x, epochs.stream().mapToDouble(EpochMetrics::trainLoss).toArray());
        loss.addSeries(
                "test", x, epochs.stream().mapToDouble(EpochMetrics::testLoss).toArray());
        XYChart accuracy = chart(title + ": accuracy", "accuracy (%)");
        accuracy.addSeries(
                "train",
                x,
                epochs.stream().mapToDouble(m -> 100 * m.trainAccuracy()).toArray());
        accuracy.addSeries(
                "test",
                x,
                epochs.stream().mapToDouble(m -> 100 * m.testAccuracy()).toArray());
        BufferedImage image = new BufferedImage(1200, 450, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        loss.paint(g, 600, 450);
        g.translate(600, 0);
        accuracy.paint(g, 600, 450);
        g.dispose();
        try {
            Path tmp = Files.createTempFile(path.toAbsolutePath().getParent(), ".curves", ".png");
            javax.imageio.ImageIO.write(image, "png", tmp.toFile());
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SpikebitException(path + ": cannot write the plot: " + e.getMessage());
        }
    }

    static XYChart chart(String title, String yLabel) {
        XYChart chart = new XYChartBuilder()
                .width(600)
                .height(450)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yLabel)
                .build();
        chart.getStyler().setMarkerSize(6);
        return chart;
    }
}
