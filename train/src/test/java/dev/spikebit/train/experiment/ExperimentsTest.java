package dev.spikebit.train.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.FashionMnistSubset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

        var again = new ByteArrayOutputStream();
        List<ExperimentRow> second = new ReverbExperiment(setup("fmnist-cnn", out, again, null), rows).run();
        assertThat(again.toString(StandardCharsets.UTF_8).split("reusing", -1)).hasSize(3);
        assertThat(second)
                .extracting(ExperimentRow::accuracies)
                .isEqualTo(first.stream().map(ExperimentRow::accuracies).toList());
        assertThat(second)
                .extracting(ExperimentRow::deployedBytes)
                .isEqualTo(first.stream().map(ExperimentRow::deployedBytes).toList());
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
                new S2nnExperiment(setup("fmnist-vgg-s", out, log, seen), List.of(4), List.of(4), 1000f).run();
        assertThat(rows)
                .extracting(ExperimentRow::name)
                .containsExactly(
                        "FP-SNN (teacher)",
                        "BSNN (binary)",
                        "sub-bit eta 4 baseline",
                        "sub-bit eta 4 +OS-Quant",
                        "sub-bit eta 4 +OS-Quant+MPFD");
        ExperimentRow binary = rows.get(1);
        for (ExperimentRow r : rows.subList(2, 5)) {
            assertThat(r.bitsPerWeight()).isLessThan(binary.bitsPerWeight());
            assertThat(r.deployedBytes()).isLessThan(binary.deployedBytes());
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("MPFD: lambda 1000.0");
        assertThat(out.resolve("s2nn-table.md")).content().contains("sub-bit eta 4 +OS-Quant+MPFD");
        // Teacher, binary network and three fine-tunings, one epoch each; the table once per seed and at the end.
        assertThat(seen.epochs).isEqualTo(5);
        assertThat(seen.tables).isNotEmpty();
        assertThat(seen.tables.get(seen.tables.size() - 1).rows()).isEqualTo(rows);
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
