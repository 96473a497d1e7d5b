package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.train.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --spark local[2]}: Spark inside this JVM (tasks on two threads, results serialized as on a
 * cluster) gives the single-machine results: the same predictions and layer counts for {@code
 * infer}, the same predictions for {@code eval}, the same table, bit for bit, for {@code experiment}
 * (one kernel thread pool, so the same arithmetic).
 */
class LocalSparkTest {
    @TempDir
    Path dir;

    @Test
    void inferOnSparkEqualsSingleMachineInfer() throws IOException {
        Path model = SparkCommands.deployedModel();
        String[] args = {
            "infer",
            "--model",
            model.toString(),
            "--input",
            "fashion-mnist:test",
            "--limit",
            "1000",
            "--batch",
            "64",
            "--show",
            "1000"
        };
        String alone = SparkCommands.run(args);
        String spark = SparkCommands.run(concat(args, "--spark", "local[2]"));
        List<String> expected = SparkCommands.withoutTiming(alone);
        assertThat(expected).hasSizeGreaterThan(1000);
        assertThat(SparkCommands.withoutTiming(spark)).isEqualTo(expected);
        // Not a constant classifier: the comparison sees different classes.
        assertThat(expected.stream()
                        .filter(l -> l.startsWith("  test["))
                        .map(l -> l.replaceAll(".*class (\\d+).*", "$1"))
                        .distinct()
                        .count())
                .isGreaterThan(3);
    }

    /**
     * {@code eval --spark}: the executors load the test split and the broadcast checkpoint and score
     * partitions of whole batches; the predictions are those of single-machine evaluation, one for
     * one, and the command prints the same accuracy and loss.
     */
    @Test
    void evalOnSparkEqualsSingleMachineEvaluation() throws IOException {
        Path checkpoint = SparkCommands.checkpoint();
        Evaluation.Scores alone = Evaluation.score(
                QuantModels.fromCheckpoint(Checkpoint.load(checkpoint)), new TestImages(1000).load(), 64);
        Evaluation.Scores spark = new SparkBackend().evaluate("local[2]", checkpoint, new TestImages(1000), 64);
        assertThat(spark.predictions()).containsExactly(alone.predictions());
        assertThat(spark.correct()).isEqualTo(alone.correct());
        assertThat(spark.lossSum()).isCloseTo(alone.lossSum(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(java.util.Arrays.stream(alone.predictions()).distinct().count())
                .isGreaterThan(3);

        String[] args = {"eval", "--checkpoint", checkpoint.toString(), "--test-limit", "1000", "--batch", "64"};
        String withoutSpeed = ", \\d+ images/s";
        assertThat(SparkCommands.run(concat(args, "--spark", "local[2]")).replaceAll(withoutSpeed, ""))
                .isEqualTo(SparkCommands.run(args).replaceAll(withoutSpeed, ""))
                .contains("test accuracy", "(1000 images)");
    }

    /** The first {@code count} Fashion-MNIST test images, loaded where the task runs. */
    record TestImages(int count) implements ClusterBackend.DataSplit {
        @Override
        public Dataset load() {
            return DatasetChoice.load(DatasetName.FASHION_MNIST, null, 1, count).test();
        }
    }

    @Test
    void reverbExperimentOnSparkGivesTheSingleMachineTable() throws IOException {
        String[] args = {
            "experiment",
            "reverb",
            "--rows",
            "reverb,bsnn",
            "--epochs",
            "1",
            "--seeds",
            "2",
            "--train-limit",
            "256",
            "--test-limit",
            "128"
        };
        Path alone = dir.resolve("alone");
        Path spark = dir.resolve("spark");
        SparkCommands.run(concat(args, "--out", alone.toString()));
        SparkCommands.run(concat(args, "--out", spark.toString(), "--spark", "local[2]"));
        String table = Files.readString(alone.resolve("reverb-table.md"));
        assertThat(table).contains("ReverB", "BSNN");
        assertThat(Files.readString(spark.resolve("reverb-table.md"))).isEqualTo(table);
        for (String run : List.of("reverb-seed1", "reverb-seed2", "bsnn-seed1", "bsnn-seed2")) {
            assertThat(spark.resolve(run).resolve("last.safetensors")).exists();
        }
        // The tasks leave each row's record (run.txt, metrics.json, measurement.json) beside its
        // checkpoints: without the checkpoints, as in a clone of committed results, the single-machine
        // command collects the same table from the records and trains nothing.
        String json = Files.readString(spark.resolve("reverb-table.json"));
        try (var files = Files.walk(spark)) {
            for (Path f :
                    files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                Files.delete(f);
            }
        }
        SparkCommands.run(concat(args, "--out", spark.toString()));
        assertThat(Files.readString(spark.resolve("reverb-table.md"))).isEqualTo(table);
        assertThat(Files.readString(spark.resolve("reverb-table.json"))).isEqualTo(json);
        assertThat(spark.resolve("bsnn-seed1").resolve("last.safetensors")).doesNotExist();

        // The same through Hadoop's FileSystem API (file:// is its LocalFileSystem, which writes a
        // .crc checksum file beside every file it writes): the tasks and the driver work on local
        // copies and save them there.
        Path hadoop = dir.resolve("hadoop");
        String printed = SparkCommands.run(concat(args, "--out", hadoop.toUri().toString(), "--spark", "local[2]"));
        assertThat(printed).contains("table: " + hadoop.toUri().toString().replaceAll("/+$", "") + "/reverb-table.md");
        assertThat(Files.readString(hadoop.resolve("reverb-table.md"))).isEqualTo(table);
        for (String run : List.of("reverb-seed1", "reverb-seed2", "bsnn-seed1", "bsnn-seed2")) {
            assertThat(hadoop.resolve(run).resolve("last.safetensors")).exists();
            assertThat(hadoop.resolve(run).resolve(".last.safetensors.crc")).exists();
            assertThat(hadoop.resolve(run).resolve("measurement.json").toFile().exists())
                    .isEqualTo(run.endsWith("seed1"));
        }
        assertThat(hadoop.resolve(".reverb-table.md.crc")).exists();
        try (var files = Files.walk(hadoop)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /**
     * A task on a Hadoop filesystem URI that fails after its first checkpoint is retried
     * ({@code local[1,2]}: two attempts) and its second attempt starts from the checkpoint the first
     * saved there, in a fresh local copy holding only the task's own folders.
     */
    @Test
    void aRetriedTaskResumesFromItsCheckpointOnTheFilesystem() throws IOException {
        Path shared = dir.resolve("shared");
        Files.createDirectories(shared.resolve("other-seed2"));
        Files.writeString(shared.resolve("other-seed2").resolve("big.bin"), "not this task's");
        new SparkBackend()
                .runAll(
                        "local[1,2]",
                        "retry test",
                        List.of(new FailingOnce(shared.toUri().toString())));
        assertThat(Files.readString(shared.resolve("run-seed1").resolve("attempts.txt")))
                .isEqualTo("2");
        assertThat(Files.readString(shared.resolve("run-seed1").resolve("done.txt")))
                .isEqualTo("resumed after attempt 1, saw [run-seed1]");
    }

    /** Counts its attempts in a checkpoint file; the first attempt fails after saving it. */
    record FailingOnce(String out) implements ClusterBackend.Task {
        @Override
        public String name() {
            return "failing once";
        }

        @Override
        public boolean uses(String folder) {
            return folder.endsWith("-seed1");
        }

        @Override
        public void run(Path local, Runnable checkpointed) throws IOException {
            Path run = Files.createDirectories(local.resolve("run-seed1"));
            Path count = run.resolve("attempts.txt");
            int before = Files.exists(count) ? Integer.parseInt(Files.readString(count)) : 0;
            Files.writeString(count, Integer.toString(before + 1));
            checkpointed.run();
            if (before == 0) {
                throw new IllegalStateException("the first attempt fails after its checkpoint");
            }
            try (var names = Files.list(local)) {
                Files.writeString(
                        run.resolve("done.txt"),
                        "resumed after attempt " + before + ", saw "
                                + names.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    /** An unknown scheme or a folder that cannot be made are refused in one line, before any work. */
    @Test
    void unusableFilesystemUrisAreRefusedInOneLine() throws IOException {
        assertThatThrownBy(() -> HadoopFolder.open("nosuchfs://host/runs"))
                .isInstanceOf(SpikebitException.class)
                .hasMessage("--out nosuchfs://host/runs: no Hadoop filesystem for the scheme \"nosuchfs\" (hdfs and "
                        + "file come with Spark; s3a, gs, abfs need their connector's jars on the class path)");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String under = file.toUri() + "/runs";
        assertThatThrownBy(() -> HadoopFolder.open(under))
                .isInstanceOf(SpikebitException.class)
                .hasMessageStartingWith("--out " + under + ": cannot write there (")
                .hasMessageNotContaining("\n");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
