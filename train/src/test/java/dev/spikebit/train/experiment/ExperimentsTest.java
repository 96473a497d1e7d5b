package dev.spikebit.train.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.FashionMnistSubset;
import dev.spikebit.data.ValidationSplit;
import dev.spikebit.data.augment.Compose;
import dev.spikebit.data.augment.HorizontalFlip;
import dev.spikebit.data.augment.RandomCrop;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two paper tables on a few hundred real Fashion-MNIST images, one epoch each: every row is
 * trained, deployed and measured, the files are written, and running the same table again reuses
 * every trained network instead of training it again.
 */
class ExperimentsTest {
    private static ArrayDataset train;
    private static ArrayDataset test;

    @BeforeAll
    static void realImages() {
        var data = FashionMnistSubset.load(192, 64);
        train = data.train();
        test = data.test();
    }

    /** One epoch, seed 1, activity on 16 images; the log into {@code log}. */
    private ExperimentSetup setup(String model, Path out, ByteArrayOutputStream log, ExperimentListener listener) {
        return ExperimentSetup.builder(model, train, test, out)
                .epochs(1)
                .log(new PrintStream(log, true, StandardCharsets.UTF_8))
                .listener(listener)
                .measureImages(16)
                .build();
    }

    @Test
    void reverbTableIsWrittenAndASecondRunReusesItsRows(@TempDir Path out) throws Exception {
        List<ReverbExperiment.Variant> rows = ReverbExperiment.rowsNamed(List.of("reverb", "bsnn"));
        assertThat(rows).extracting(ReverbExperiment.Variant::name).containsExactly("BSNN", "ReverB");

        var log = new ByteArrayOutputStream();
        var seen = new Recorder();
        List<ExperimentRow> first = new ReverbExperiment(setup("fmnist-cnn", out, log, seen), rows).run();
        assertThat(first).extracting(ExperimentRow::name).containsExactly("BSNN", "ReverB");
        for (ExperimentRow r : first) {
            assertThat(r.accuracyMean()).isBetween(0.0, 1.0);
            assertThat(r.bitsPerWeight()).isBetween(1.0, 2.0); // +-1 weights plus the full-precision edge layers
            assertThat(r.deployedBytes()).isPositive();
            assertThat(r.acs()).isPositive();
        }
        assertThat(first.get(1).spikes()).isEqualTo("real");
        assertThat(out.resolve("reverb-table.md"))
                .content()
                .contains("| ReverB |")
                .contains("| BSNN |");
        assertThat(out.resolve("reverb-table.json")).exists();
        // The listener heard every network's epoch and the table after each row.
        assertThat(seen.epochs).isEqualTo(2);
        assertThat(seen.tables).extracting(ExperimentListener.Table::name).containsOnly("reverb-table");
        assertThat(seen.tables).extracting(t -> t.rows().size()).containsExactly(1, 2);
        assertThat(seen.tables.get(1).dir()).isEqualTo(out);
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("reusing");

        // Each row's first run keeps its measurement; the second table reads it back, measuring nothing.
        List<Path> measurements = List.of(
                out.resolve("bsnn-seed1").resolve(RowMeasurement.FILE),
                out.resolve("reverb-seed1").resolve(RowMeasurement.FILE));
        List<FileTime> measuredAt = new ArrayList<>();
        for (Path m : measurements) {
            assertThat(m).exists();
            measuredAt.add(Files.getLastModifiedTime(m));
        }
        String firstTable = Files.readString(out.resolve("reverb-table.md"));

        var again = new ByteArrayOutputStream();
        List<ExperimentRow> second = new ReverbExperiment(setup("fmnist-cnn", out, again, null), rows).run();
        assertThat(again.toString(StandardCharsets.UTF_8).split("reusing", -1)).hasSize(3);
        for (int i = 0; i < measurements.size(); i++) {
            assertThat(Files.getLastModifiedTime(measurements.get(i))).isEqualTo(measuredAt.get(i));
        }
        // The same rows bit for bit (the curves come back from the checkpoints), so the same table.
        assertThat(second)
                .extracting(ExperimentRow::accuracies)
                .isEqualTo(first.stream().map(ExperimentRow::accuracies).toList());
        assertThat(second)
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("curves")
                .isEqualTo(first);
        assertThat(out.resolve("reverb-table.md")).content().isEqualTo(firstTable);
    }

    @Test
    void augmentedRowsTrainInDirectoriesOfTheirOwnAndStateTheClaims(@TempDir Path out) throws Exception {
        var crop = new Compose(List.of(new RandomCrop(2), new HorizontalFlip()));
        ExperimentSetup augmented = ExperimentSetup.builder("fmnist-cnn", train, test, out)
                .epochs(1)
                .augmentation(crop)
                .measureImages(8)
                .build();
        List<ExperimentRow> rows =
                new ReverbExperiment(augmented, ReverbExperiment.rowsNamed(List.of("bsnn", "reverb"))).run();
        assertThat(out.resolve("bsnn-augment-seed1").resolve("run.txt"))
                .content()
                .contains("\"augment\":true");
        assertThat(out.resolve("reverb-augment-seed1")).isDirectory();
        assertThat(out.resolve("reverb-table.md"))
                .content()
                .contains("augmentation: Compose")
                .contains("- ReverB >= BSNN (real-valued spikes help binary weights): **");
        assertThat(ReverbExperiment.claims(rows)).hasSize(1);
    }

    @Test
    void unknownRowIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> ReverbExperiment.rowsNamed(List.of("reverb", "xnor")))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"xnor\"")
                .hasMessageContaining("fp-snn, bsnn, reverb-fixed-alpha, reverb, real-spikes-fp-weights");
    }

    @Test
    void s2nnTableHasTheTeacherTheBinaryNetworkAndEveryVariant(@TempDir Path out) throws Exception {
        var log = new ByteArrayOutputStream();
        var seen = new Recorder();
        List<ExperimentRow> rows =
                new S2nnExperiment(setup("fmnist-vgg-s", out, log, seen), S2nnExperiment.Plan.of(List.of(4), 1)).run();
        assertThat(rows)
                .extracting(ExperimentRow::name)
                .containsExactly(
                        "FP-SNN",
                        "BSNN",
                        "BSNN +1 epochs",
                        "sub-bit eta 4 baseline",
                        "sub-bit eta 4 +OS-Quant",
                        "sub-bit eta 4 +OS-Quant+MPFD, lambda 1000");
        ExperimentRow binary = rows.get(1);
        assertThat(rows.get(2).bitsPerWeight()).isEqualTo(binary.bitsPerWeight());
        for (ExperimentRow r : rows.subList(3, 6)) {
            assertThat(r.bitsPerWeight()).isLessThan(binary.bitsPerWeight());
            assertThat(r.deployedBytes()).isLessThan(binary.deployedBytes());
            assertThat(r.seeds()).containsExactly(1L);
            assertThat(r.validationAccuracies()).isEmpty();
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("MPFD: lambda 1000.0");
        assertThat(out.resolve("s2nn-table.md"))
                .content()
                .contains("sub-bit eta 4 +OS-Quant+MPFD, lambda 1000")
                .contains("- eta 4: +OS-Quant >= baseline: **")
                .contains("- eta 4: S2NN (OS-Quant+MPFD) within 1 point of the binary network trained as long");
        // Teacher, binary network, its fine-tuning and three sub-bit ones, one epoch each; the table once per seed
        // and at the end.
        assertThat(seen.epochs).isEqualTo(6);
        assertThat(seen.tables).isNotEmpty();
        assertThat(seen.tables.get(seen.tables.size() - 1).rows()).isEqualTo(rows);
    }

    @Test
    void lambdaIsChosenOnTheValidationSetAndTheTableKeepsTheTestScores(@TempDir Path out) throws Exception {
        var split = ValidationSplit.of(train, 64);
        var log = new ByteArrayOutputStream();
        ExperimentSetup setup = ExperimentSetup.builder("fmnist-vgg-s", split.train(), test, out)
                .epochs(1)
                .validation(split.validation())
                .log(new PrintStream(log, true, StandardCharsets.UTF_8))
                .measureImages(8)
                .build();
        var plan = new S2nnExperiment.Plan(
                List.of(4), List.of(4), List.of(10f, 1000f), List.of(S2nnExperiment.Teacher.BINARY), 1, false);
        List<ExperimentRow> rows = new S2nnExperiment(setup, plan).run();
        assertThat(rows)
                .extracting(ExperimentRow::name)
                .endsWith(
                        "sub-bit eta 4 +OS-Quant+MPFD (binary teacher), lambda 10",
                        "sub-bit eta 4 +OS-Quant+MPFD (binary teacher), lambda 1000");
        for (ExperimentRow r : rows) {
            assertThat(r.validationAccuracies()).hasSize(1);
            // the curves are scored on the validation images, the table's accuracy on the test images
            var last = r.curves().get(0).get(r.curves().get(0).size() - 1);
            assertThat(last.testAccuracy()).isEqualTo(r.validationAccuracies().get(0));
            assertThat(r.accuracies().get(0) * test.size())
                    .isCloseTo(Math.rint(r.accuracies().get(0) * test.size()), within(1e-6));
        }
        ExperimentRow ten = rows.get(rows.size() - 2);
        ExperimentRow thousand = rows.get(rows.size() - 1);
        float expected = thousand.validationMean() > ten.validationMean() ? 1000f : 10f;
        assertThat(S2nnExperiment.chosenLambdas(plan, rows)).containsEntry(S2nnExperiment.Teacher.BINARY, expected);
        assertThat(out.resolve("s2nn-table.md"))
                .content()
                .contains("validation accuracy (%)")
                .contains("binary teacher=" + S2nnExperiment.lambdaText(expected)
                        + " (mean validation accuracy per lambda:")
                .contains("chosen on validation) >= +OS-Quant");
        Path binaryRun = out.resolve("binary-validation-64-seed1");
        assertThat(binaryRun.resolve(ExperimentSetup.TEST_SCORE_FILE))
                .content()
                .startsWith(test.name() + ", 64 images, after epoch 1: ");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("validation loss");

        // a second run reuses every network and its saved test score
        var again = new ByteArrayOutputStream();
        ExperimentSetup reused = ExperimentSetup.builder("fmnist-vgg-s", split.train(), test, out)
                .epochs(1)
                .validation(split.validation())
                .log(new PrintStream(again, true, StandardCharsets.UTF_8))
                .measureImages(8)
                .build();
        List<ExperimentRow> second = new S2nnExperiment(reused, plan).run();
        assertThat(second)
                .extracting(ExperimentRow::accuracies)
                .isEqualTo(rows.stream().map(ExperimentRow::accuracies).toList());
        assertThat(again.toString(StandardCharsets.UTF_8)).doesNotContain("test accuracy");
    }

    @Test
    void severalLambdasNeedAValidationSet(@TempDir Path out) {
        var plan = new S2nnExperiment.Plan(
                List.of(4), List.of(4), List.of(10f, 1000f), List.of(S2nnExperiment.Teacher.FP), 1, false);
        assertThatThrownBy(
                        () -> new S2nnExperiment(setup("fmnist-vgg-s", out, new ByteArrayOutputStream(), null), plan))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("need a validation set (--validation N)");
    }

    /** Counts the finished epochs and keeps every table the experiment reports. */
    private static final class Recorder implements ExperimentListener {
        int epochs;
        final List<Table> tables = new ArrayList<>();

        @Override
        public void epochFinished(EpochEnd end) {
            epochs++;
        }

        @Override
        public void tableWritten(Table table) {
            tables.add(table);
        }
    }
}
