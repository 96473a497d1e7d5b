package dev.spikebit.train.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.FashionMnistSubset;
import dev.spikebit.data.ValidationSplit;
import dev.spikebit.train.KeptNetwork;
import dev.spikebit.train.MetricsFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table collected from its rows' records alone ({@code run.txt}, {@code metrics.json},
 * {@code measurement.json}, {@code test-accuracy.txt}) once every checkpoint is deleted, as on a
 * machine that got the experiment's folder from git: the same files bit for bit, nothing trained or
 * measured again; and a record that is not whole trains again, one that is damaged is refused with
 * its file's name.
 */
class RecordsTest {
    private static ArrayDataset train;
    private static ArrayDataset test;

    /** One BSNN run of seed 1, trained once; each test works on a copy of its folder without checkpoints. */
    @TempDir
    static Path trained;

    private static String table;

    @BeforeAll
    static void trainOneRow() throws IOException {
        var data = FashionMnistSubset.load(192, 64);
        train = data.train();
        test = data.test();
        new ReverbExperiment(reverb(trained, new ByteArrayOutputStream(), List.of(1L)), bsnn()).run();
        table = Files.readString(trained.resolve("reverb-table.md"));
    }

    private static List<ReverbExperiment.Variant> bsnn() {
        return ReverbExperiment.rowsNamed(List.of("bsnn"));
    }

    private static ExperimentSetup reverb(Path out, ByteArrayOutputStream log, List<Long> seeds) {
        return ExperimentSetup.builder("fmnist-cnn", train, test, out)
                .epochs(1)
                .seeds(seeds)
                .log(new PrintStream(log, true, StandardCharsets.UTF_8))
                .measureImages(16)
                .build();
    }

    @Test
    void reverbTableIsCollectedFromRecordsAloneBitForBit(@TempDir Path out) throws IOException {
        var rows = ReverbExperiment.rowsNamed(List.of("bsnn", "reverb"));
        List<Long> seeds = List.of(1L, 2L); // seed 2's runs are records without a measurement
        new ReverbExperiment(reverb(out, new ByteArrayOutputStream(), seeds), rows).run();
        String md = Files.readString(out.resolve("reverb-table.md"));
        String json = Files.readString(out.resolve("reverb-table.json"));
        assertThat(deleteCheckpoints(out)).hasSize(4 * 2 + 2); // last and best per run, deployed per row

        var log = new ByteArrayOutputStream();
        new ReverbExperiment(reverb(out, log, seeds), rows).run();
        assertThat(out.resolve("reverb-table.md")).content().isEqualTo(md);
        assertThat(out.resolve("reverb-table.json")).content().isEqualTo(json);
        assertThat(log.toString(StandardCharsets.UTF_8).split("reusing the record", -1))
                .hasSize(5);
        assertThat(checkpoints(out)).isEmpty(); // nothing trained, deployed or measured again
    }

    @Test
    void s2nnTableIsCollectedFromRecordsAndFineTunesFromTheKeptNetworkOrTrainsItAgain(@TempDir Path out)
            throws IOException {
        var split = ValidationSplit.of(train, 64);
        var plan = S2nnExperiment.Plan.of(List.of(4), 1);
        new S2nnExperiment(s2nn(split, out, new ByteArrayOutputStream()), plan).run();
        String md = Files.readString(out.resolve("s2nn-table.md"));
        String json = Files.readString(out.resolve("s2nn-table.json"));
        Path binary = out.resolve("binary-validation-64-seed1");
        Path fp = out.resolve("fp-validation-64-seed1");
        deleteCheckpoints(out);
        // what git keeps: the records, and the networks other rows start from or distil from
        assertThat(checkpoints(out))
                .containsExactlyInAnyOrder(binary.resolve(KeptNetwork.FILE), fp.resolve(KeptNetwork.FILE));

        // every row recorded: no network is loaded or trained
        var log = new ByteArrayOutputStream();
        new S2nnExperiment(s2nn(split, out, log), plan).run();
        assertThat(out.resolve("s2nn-table.md")).content().isEqualTo(md);
        assertThat(out.resolve("s2nn-table.json")).content().isEqualTo(json);
        assertThat(log.toString(StandardCharsets.UTF_8))
                .doesNotContain("training it again", "test accuracy", "loading the network kept");
        assertThat(checkpoints(out)).hasSize(2);

        // a sub-bit row lost: it fine-tunes from the binary network kept beside its record, nothing else trains,
        // and the row repeats (the same weights), so the table is the same but for the new run's wall-clock times
        Path subBit = out.resolve("sub-bit-eta-4-os-quant-validation-64-seed1");
        deleteRecursively(subBit);
        var kept = new ByteArrayOutputStream();
        new S2nnExperiment(s2nn(split, out, kept), plan).run();
        assertThat(kept.toString(StandardCharsets.UTF_8))
                .contains(binary + ": loading the network kept beside the record")
                .doesNotContain("training it again");
        assertThat(out.resolve("s2nn-table.md")).content().isEqualTo(md);
        assertThat(binary.resolve(ExperimentSetup.CHECKPOINT)).doesNotExist();

        // without the kept network, the binary network trains again from its seed and repeats its record
        deleteRecursively(subBit);
        Files.delete(binary.resolve(KeptNetwork.FILE));
        var again = new ByteArrayOutputStream();
        new S2nnExperiment(s2nn(split, out, again), plan).run();
        assertThat(again.toString(StandardCharsets.UTF_8))
                .contains(binary + ": the network is needed and only the record");
        assertThat(out.resolve("s2nn-table.md")).content().isEqualTo(md);
        assertThat(binary.resolve(KeptNetwork.FILE)).exists(); // kept again
        assertThat(fp.resolve(ExperimentSetup.CHECKPOINT))
                .doesNotExist(); // the MPFD teacher is not needed: its row is recorded

        // a kept network that is not the record's (here the FP network's) is refused with its name
        deleteCheckpoints(out);
        deleteRecursively(subBit);
        Files.copy(fp.resolve(KeptNetwork.FILE), binary.resolve(KeptNetwork.FILE), StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> new S2nnExperiment(s2nn(split, out, new ByteArrayOutputStream()), plan).run())
                .isInstanceOf(SpikebitException.class)
                .hasMessageStartingWith(binary.resolve(KeptNetwork.FILE) + ": not the network of the record beside it")
                .hasMessageContaining("delete it to train the network again");
    }

    private static ExperimentSetup s2nn(ValidationSplit split, Path out, ByteArrayOutputStream log) {
        return ExperimentSetup.builder("fmnist-cnn", split.train(), test, out) // has one sub-bit-eligible conv
                .epochs(1)
                .validation(split.validation())
                .log(new PrintStream(log, true, StandardCharsets.UTF_8))
                .measureImages(8)
                .build();
    }

    @Test
    void anUnfinishedOrDifferentRecordTrainsAgain(@TempDir Path out) throws IOException {
        Path run = recordCopy(out);
        Path metrics = run.resolve(MetricsFile.NAME);
        String whole = Files.readString(metrics);

        // fewer epochs than the run has: an attempt that stopped, whose checkpoint is gone
        Files.writeString(metrics, whole.replaceAll("(?s)\"epochs\" : \\[.*\\]", "\"epochs\" : [ ]"));
        assertThat(collect(out)).contains("holds 0 of 1 epochs and no checkpoint to resume from");
        assertThat(out.resolve("reverb-table.md")).content().isEqualTo(table);

        recordCopy(out);
        Files.delete(metrics);
        assertThat(collect(out)).contains("no " + MetricsFile.NAME);
        assertThat(out.resolve("reverb-table.md")).content().isEqualTo(table);

        recordCopy(out);
        Path stamp = run.resolve("run.txt");
        String other = Files.readString(stamp).replace("\"lr\":0.001", "\"lr\":0.002");
        assertThat(other).isNotEqualTo(Files.readString(stamp));
        Files.writeString(stamp, other);
        assertThat(collect(out)).contains("records a different run (run.txt differs)");
        assertThat(out.resolve("reverb-table.md")).content().isEqualTo(table);
    }

    @Test
    void aRecordWhoseNetworkIsNeededTrainsItAgainAndChecksItRepeatsTheRecord(@TempDir Path out) throws IOException {
        // no measurement: the network is needed to measure it, and trains again from its seed
        Path run = recordCopy(out);
        Files.delete(run.resolve(RowMeasurement.FILE));
        assertThat(collect(out)).contains(run + ": the network is needed and only the record of its run is here");
        assertThat(out.resolve("reverb-table.md")).content().isEqualTo(table);
        assertThat(run.resolve(ExperimentSetup.CHECKPOINT)).exists();

        // a record the network trained again does not repeat (as from another environment) is not mixed with it
        recordCopy(out);
        Files.delete(run.resolve(RowMeasurement.FILE));
        Path metrics = run.resolve(MetricsFile.NAME);
        String other = Files.readString(metrics).replaceFirst("\"testAccuracy\" : [0-9.E-]+", "\"testAccuracy\" : 0.5");
        assertThat(other).isNotEqualTo(Files.readString(metrics));
        Files.writeString(metrics, other);
        assertThatThrownBy(() -> collect(out))
                .isInstanceOf(SpikebitException.class)
                .hasMessageStartingWith(run + ": trained again, the network does not repeat its record (epoch 1:")
                .hasMessageContaining("recorded 0.5");
    }

    @Test
    void aDamagedMetricsFileIsRefusedWithItsName(@TempDir Path out) throws IOException {
        Path metrics = recordCopy(out).resolve(MetricsFile.NAME);
        String whole = Files.readString(metrics);
        for (String damaged : List.of(
                whole.substring(0, whole.length() / 2), // cut short
                whole.replaceFirst("\"testAccuracy\" : [0-9.E-]+", "\"testAccuracy\" : \"NaN\""),
                whole.replaceFirst("\"testAccuracy\" : [0-9.E-]+,", ""),
                whole.replaceFirst("\"epoch\" : 1", "\"epoch\" : 2"),
                whole.replaceFirst("\"epochs\" : \\[ \\{", "\"epochs\" : [ {\"epoch\" : 1}, {"),
                whole.replaceFirst("\"epochs\" : 1,", "\"epochs\" : 3,"))) {
            assertThat(damaged).isNotEqualTo(whole);
            Files.writeString(metrics, damaged);
            assertThatThrownBy(() -> collect(out))
                    .isInstanceOf(SpikebitException.class)
                    .hasMessageStartingWith(metrics + ": not the record of this run");
        }
    }

    @Test
    void aDamagedMeasurementIsRefusedWithItsName(@TempDir Path out) throws IOException {
        Path measurement = recordCopy(out).resolve(RowMeasurement.FILE);
        String whole = Files.readString(measurement);
        for (String damaged : List.of(
                "{ \"measuredOn\" : ",
                whole.replaceFirst("\"energyPj\" : [0-9.E]+", "\"energyPj\" : \"NaN\""),
                whole.replaceFirst("\"macs\" : [0-9.E]+,", ""))) {
            assertThat(damaged).isNotEqualTo(whole);
            Files.writeString(measurement, damaged);
            assertThatThrownBy(() -> collect(out))
                    .isInstanceOf(SpikebitException.class)
                    .hasMessageStartingWith(measurement + ": not a measurement");
        }
    }

    /** A copy of the trained BSNN run's record in {@code out} (replacing what is there); its folder. */
    private static Path recordCopy(Path out) throws IOException {
        Path from = trained.resolve("bsnn-seed1");
        Path to = out.resolve("bsnn-seed1");
        deleteRecursively(to);
        Files.createDirectories(to);
        for (String name : List.of("run.txt", MetricsFile.NAME, RowMeasurement.FILE)) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
        return to;
    }

    /** Collects the BSNN table in {@code out}; returns the log. */
    private static String collect(Path out) throws IOException {
        var log = new ByteArrayOutputStream();
        new ReverbExperiment(reverb(out, log, List.of(1L)), bsnn()).run();
        return log.toString(StandardCharsets.UTF_8);
    }

    private static List<Path> checkpoints(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".safetensors")).toList();
        }
    }

    /**
     * Deletes every checkpoint and deployed model under {@code dir} but the kept networks ({@link
     * KeptNetwork}), as a clone of the results has none of them; returns them.
     */
    private static List<Path> deleteCheckpoints(Path dir) throws IOException {
        List<Path> deleted = checkpoints(dir).stream()
                .filter(f -> !f.getFileName().toString().equals(KeptNetwork.FILE))
                .toList();
        for (Path f : deleted) {
            Files.delete(f);
        }
        return deleted;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
