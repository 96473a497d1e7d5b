package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on a real Spark standalone cluster: a master and two one-core workers on this machine,
 * each a JVM of its own, executors started by the workers, tasks and results serialized between
 * them. Batch inference gives the single-machine predictions; data-parallel training runs its
 * replicas on the executors; an experiment survives losing a worker in the middle: its lost run is
 * retried on the other worker and continues from its last checkpoint.
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
            "infer", "--model", model.toString(), "--input", "fashion-mnist:test", "--limit", "1000", "--show", "2000"
        };
        List<String> expected = SparkCommands.withoutTiming(SparkCommands.run(args));
        List<String> onCluster = SparkCommands.withoutTiming(
                SparkCommands.run(LocalSparkTest.concat(args, "--spark", cluster.masterUrl())));
        assertThat(expected).hasSizeGreaterThan(1000);
        assertThat(onCluster).isEqualTo(expected);
    }

    /**
     * Data-parallel training across the executors: the replica description, the shared state of each
     * round and the replicas' sums cross JVMs through Spark's serialization, and the driver ends with
     * the averaged state of every global batch's steps (128 images in batches of 32: 4 steps, in
     * rounds of 2).
     */
    @Test
    void dataParallelTrainingRunsOnTheCluster() {
        Path out = dir.resolve("data-parallel");
        String printed = SparkCommands.run(
                "train",
                "--train-limit",
                "128",
                "--test-limit",
                "32",
                "--batch",
                "32",
                "--epochs",
                "1",
                "--out",
                out.toString(),
                "--spark",
                cluster.masterUrl(),
                "--workers",
                "2",
                "--sync-every",
                "2");
        assertThat(printed).contains("final test accuracy");
        Checkpoint saved = Checkpoint.load(out.resolve("last.safetensors"));
        assertThat(saved.info("epoch", "")).isEqualTo("1");
        float[] steps = saved.optimizer().get("steps");
        long count =
                (Float.floatToRawIntBits(steps[0]) & 0xffffffffL) | ((long) Float.floatToRawIntBits(steps[1]) << 32);
        assertThat(count).isEqualTo(4);
        assertThat(saved.optimizer().keySet()).anyMatch(k -> k.startsWith("exp_avg/"));
    }

    @Test
    void experimentSurvivesLosingAWorkerAndResumesTheLostRun() throws Exception {
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
            "256",
            "--test-limit",
            "64",
            "--out",
            out.toString(),
            "--spark",
            cluster.masterUrl()
        };
        CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> SparkCommands.run(args));
        // Worker 0's machine goes away while its run is in its second epoch (the first is checkpointed).
        Path lost = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (lost == null && System.nanoTime() < deadline && !run.isDone()) {
            lost = runInSecondEpoch(executorLog(0));
            Thread.sleep(50);
        }
        assertThat(lost).as("worker 0 never had a run in its second epoch").isNotNull();
        cluster.killWorker(0);
        String printed = run.get(300, TimeUnit.SECONDS);
        assertThat(printed).contains("ReverB", "BSNN");
        for (String r : List.of("reverb-seed1", "reverb-seed2", "bsnn-seed1", "bsnn-seed2")) {
            assertThat(out.resolve(r).resolve("last.safetensors")).exists();
        }
        assertThat(Files.readString(out.resolve("reverb-table.md"))).contains("| ReverB |", "| BSNN |");
        // Spark ran the lost task again on worker 1, which continued from the checkpoint.
        assertThat(executorLog(1)).contains("resuming after epoch 1 from " + lost.resolve("last.safetensors"));
    }

    /**
     * The run directory of the task an executor's log shows running, once that run has checkpointed
     * its first epoch, or null.
     */
    private static Path runInSecondEpoch(String log) {
        Matcher m = Pattern.compile("-> (\\S+)\\R").matcher(log);
        String last = null;
        int end = 0;
        while (m.find()) {
            last = m.group(1);
            end = m.end();
        }
        if (last == null || log.substring(end).contains(" done in ")) {
            return null;
        }
        Path run = Path.of(last);
        return Files.exists(run.resolve("last.safetensors")) ? run : null;
    }

    /** Everything the executors of worker {@code i} wrote to stderr. */
    private static String executorLog(int i) throws IOException {
        Path work = cluster.dir().resolve("work-" + i);
        if (!Files.isDirectory(work)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("stderr"))
                    .sorted()
                    .toList()) {
                // Read while written: a cut multi-byte character must not fail the read.
                all.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }
}
