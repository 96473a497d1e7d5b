package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on a real Spark standalone cluster: a master and two one-core workers on this machine,
 * each a JVM of its own, executors started by the workers, tasks and results serialized between
 * them. Batch inference gives the single-machine predictions; an experiment survives losing a
 * worker in the middle (its lost runs are retried on the other worker and continue from their last
 * checkpoint).
 */
class StandaloneClusterTest {
    /** Spark settings of the driver (this JVM) for the cluster: loopback, small executors. */
    private static final Map<String, String> DRIVER = Map.of(
            "spark.driver.host", "127.0.0.1",
            "spark.driver.bindAddress", "127.0.0.1",
            "spark.executor.memory", "768m",
            "spark.executor.cores", "1",
            "spark.task.maxFailures", "4");

    @TempDir
    static Path dir;

    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        StandaloneCluster.assumeNotOptedOut();
        cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, "1g");
        DRIVER.forEach(System::setProperty);
        // The executors run on this machine: they take spikebit's classes from the test class path.
        System.setProperty("spark.executor.extraClassPath", StandaloneCluster.testClassPath());
    }

    @AfterAll
    static void stopCluster() {
        DRIVER.keySet().forEach(System::clearProperty);
        System.clearProperty("spark.executor.extraClassPath");
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void inferOnTheClusterEqualsSingleMachineInfer() throws IOException {
        Path model = SparkCommands.deployedModel();
        String[] args = {
            "infer", "--model", model.toString(), "--input", "fashion-mnist:test", "--limit", "2000", "--show", "2000"
        };
        List<String> expected = SparkCommands.withoutTiming(SparkCommands.run(args));
        List<String> onCluster = SparkCommands.withoutTiming(
                SparkCommands.run(LocalSparkTest.concat(args, "--spark", cluster.masterUrl())));
        assertThat(expected).hasSizeGreaterThan(2000);
        assertThat(onCluster).isEqualTo(expected);
    }

    @Test
    void experimentSurvivesLosingAWorker() throws Exception {
        Path out = dir.resolve("experiment");
        String[] args = {
            "experiment",
            "reverb",
            "--rows",
            "reverb,bsnn",
            "--epochs",
            "2",
            "--seeds",
            "2",
            "--train-limit",
            "384",
            "--test-limit",
            "128",
            "--out",
            out.toString(),
            "--spark",
            cluster.masterUrl()
        };
        CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> SparkCommands.run(args));
        // Once the first run has checkpointed an epoch, the machine of one worker goes away.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!anyCheckpoint(out) && System.nanoTime() < deadline && !run.isDone()) {
            Thread.sleep(100);
        }
        assertThat(run)
                .as("the experiment ended before a checkpoint was written")
                .isNotDone();
        cluster.killWorker(0);
        String printed = run.get(240, TimeUnit.SECONDS);
        assertThat(printed).contains("ReverB", "BSNN");
        for (String r : List.of("reverb-seed1", "reverb-seed2", "bsnn-seed1", "bsnn-seed2")) {
            assertThat(out.resolve(r).resolve("last.safetensors")).exists();
        }
        assertThat(Files.readString(out.resolve("reverb-table.md"))).contains("| ReverB |", "| BSNN |");
    }

    private static boolean anyCheckpoint(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (Stream<Path> runs = Files.list(out)) {
            return runs.anyMatch(r -> Files.exists(r.resolve("last.safetensors")));
        }
    }
}
