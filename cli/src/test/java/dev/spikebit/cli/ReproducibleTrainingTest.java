package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.kernels.ComputeEnvironment;
import dev.spikebit.runtime.io.JsonObject;
import dev.spikebit.train.TensorDiff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code spikebit train} as a user runs it, each run in its own JVM with 2 threads on a named GEMM
 * backend: the same command twice gives bitwise the same checkpoint and the same metrics, and a run
 * stopped after its first epoch and continued with {@code --resume} ends bitwise where the
 * uninterrupted run ends. A constant learning rate makes "one epoch, then resume for two" the same
 * schedule as "two epochs".
 */
class ReproducibleTrainingTest {
    private static final List<String> TRAIN = List.of(
            "train",
            "--train-limit",
            "128",
            "--test-limit",
            "32",
            "--batch",
            "32",
            "--seed",
            "7",
            "--schedule",
            "constant",
            "--augment");

    @ParameterizedTest(name = "gemm={0}")
    @ValueSource(strings = {"blas", "java"})
    void repeatsAndResumesBitForBit(String gemm, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assumeTrue(
                Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        Path resumed = dir.resolve("resumed");
        // The three runs that need nothing of each other run at the same time, each in its own JVM on
        // its own 2 kernel threads: what a run computes depends on its thread count, not on what
        // else the machine does, and their JVM start-ups and single-threaded stretches overlap.
        ExecutorService runs = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> started = List.of(
                    runs.submit(() -> spikebit(gemm, first, "--epochs", "2")),
                    runs.submit(() -> spikebit(gemm, second, "--epochs", "2")),
                    runs.submit(() -> spikebit(gemm, resumed, "--epochs", "1")));
            for (Future<String> run : started) {
                run.get();
            }
        } finally {
            runs.shutdownNow();
        }
        // The resumed run gets no -Dspikebit.gemm: it must take the backend from the checkpoint.
        String log = spikebit(null, resumed, "--resume", "--epochs", "2");

        TensorDiff repeated = TensorDiff.of(first.resolve("last.safetensors"), second.resolve("last.safetensors"));
        assertThat(repeated.differences()).isEmpty();
        assertThat(metricsWithoutTimings(second)).isEqualTo(metricsWithoutTimings(first));

        TensorDiff continued = TensorDiff.of(first.resolve("last.safetensors"), resumed.resolve("last.safetensors"));
        assertThat(continued.differences()).isEmpty();
        assertThat(continued.tensors()).isGreaterThan(10);
        assertThat(metricsWithoutTimings(resumed)).hasSize(2).isEqualTo(metricsWithoutTimings(first));

        ComputeEnvironment recorded = Checkpoint.load(resumed.resolve("last.safetensors"))
                .environment()
                .orElseThrow();
        assertThat(recorded.gemm()).isEqualTo(gemm);
        assertThat(recorded.threads()).isEqualTo(2);
        assertThat(log).doesNotContain("not be bitwise identical");
        JsonObject environment = metrics(first).object("environment");
        assertThat(environment.text("gemm", null)).isEqualTo(gemm);
        assertThat(environment.integer("threads", 0)).isEqualTo(2);
        assertThat(environment.text("jdk", null)).startsWith(Runtime.version().feature() + "");
    }

    /** metrics.json without the wall-clock fields, which no two runs share. */
    private static List<Map<Object, Object>> metricsWithoutTimings(Path run) throws IOException {
        List<Map<Object, Object>> epochs = new ArrayList<>();
        for (Object epoch : metrics(run).array("epochs")) {
            Map<Object, Object> fields = new LinkedHashMap<>((Map<?, ?>) epoch);
            fields.keySet().removeAll(List.of("imagesPerSecond", "seconds"));
            epochs.add(fields);
        }
        return epochs;
    }

    private static JsonObject metrics(Path run) throws IOException {
        return JsonObject.parse(Files.readString(run.resolve("metrics.json")), "metrics.json");
    }

    /** Runs {@code spikebit train} in a new JVM with 2 threads; returns its output, fails on a non-zero exit. */
    private static String spikebit(String gemm, Path out, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx1g",
                "-XX:+UseSerialGC"));
        if (gemm != null) {
            command.add("-Dspikebit.gemm=" + gemm);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(TRAIN);
        command.addAll(List.of(args));
        command.addAll(List.of("--out", out.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SPIKEBIT_THREADS", "2");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
