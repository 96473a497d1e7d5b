package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.cli.ClusterBackend;
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
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
