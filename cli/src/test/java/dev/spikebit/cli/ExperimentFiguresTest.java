package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainingListener;
import dev.spikebit.train.experiment.ExperimentListener;
import dev.spikebit.train.experiment.ExperimentRow;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The figures {@code spikebit experiment} draws from the tables the experiments report. */
class ExperimentFiguresTest {
    private static ExperimentRow row(String name, double accuracy) {
        return row(name, accuracy, 1.1);
    }

    private static ExperimentRow row(String name, double accuracy, double bits) {
        List<EpochMetrics> curve = List.of(
                new EpochMetrics(1, 1.0, 0.5, 1.1, accuracy - 0.1, 100, 1, 1e-3),
                new EpochMetrics(2, 0.8, 0.6, 0.9, accuracy, 100, 1, 1e-4));
        return new ExperimentRow(
                name,
                "binary",
                "binary",
                List.of(1L, 2L),
                List.of(accuracy - 0.01, accuracy + 0.01),
                accuracy,
                0.014,
                List.of(),
                bits,
                1234,
                0.2,
                1e5,
                1e6,
                1e6,
                List.of(curve, curve));
    }

    private static BufferedImage png(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as(file.toString()).isNotNull();
        return image;
    }

    @Test
    void aReverbTableGetsItsAccuracyCurvesAndNoBars(@TempDir Path dir) throws Exception {
        var figures = new ExperimentFigures(TrainingListener.NONE, false);
        figures.tableWritten(new ExperimentListener.Table(
                dir, "reverb-table", "ReverB-SNN", List.of(row("BSNN", 0.8), row("ReverB", 0.85))));
        assertThat(png(dir.resolve("reverb-table.png")).getWidth()).isEqualTo(900);
        assertThat(dir.resolve("s2nn-accuracy.png")).doesNotExist();
        assertThat(png(dir.resolve("reverb-table-bits.png")).getWidth()).isEqualTo(1400);
    }

    @Test
    void accuracyAgainstBitsPlacesEachRowAtItsBitsWithItsSpread(@TempDir Path dir) throws Exception {
        var figures = new ExperimentFigures(TrainingListener.NONE, true);
        List<ExperimentRow> rows =
                List.of(row("FP-SNN", 0.92, 32), row("BSNN", 0.91, 1.4), row("sub-bit eta 4 +OS-Quant", 0.90, 0.85));
        figures.tableWritten(new ExperimentListener.Table(dir, "s2nn-table", "S2NN", rows));
        BufferedImage image = png(dir.resolve("s2nn-table-bits.png"));
        // the three points and their error bars are drawn in three different series colours
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) {
                    colours.add(rgb);
                }
            }
        }
        assertThat(colours.size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anS2nnTableGetsABarChartPerMeasure(@TempDir Path dir) throws Exception {
        var figures = new ExperimentFigures(TrainingListener.NONE, true);
        figures.tableWritten(new ExperimentListener.Table(
                dir, "s2nn-table", "S2NN", List.of(row("BSNN (binary)", 0.8), row("sub-bit eta 4 baseline", 0.7))));
        png(dir.resolve("s2nn-table.png"));
        for (String name : List.of("accuracy", "bits", "bytes", "ops", "energy")) {
            assertThat(png(dir.resolve("s2nn-" + name + ".png")).getHeight()).isEqualTo(560);
        }
    }
}
