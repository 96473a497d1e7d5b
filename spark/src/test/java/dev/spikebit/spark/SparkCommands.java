package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/** Runs spikebit commands in this JVM (the Spark driver) and keeps what they print. */
final class SparkCommands {
    private SparkCommands() {}

    /** Runs {@code args}, asserts success, and returns the standard output. */
    static synchronized String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = Main.run(args);
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as("spikebit %s\n%s", String.join(" ", args), out).isZero();
        return out;
    }

    private static Path deployed;

    /**
     * A small deployed ReverB fmnist-cnn, trained briefly on real Fashion-MNIST so that its predictions
     * vary from image to image. Made once per build: the module's two test JVMs share it through a
     * folder named by the build's start ({@code spikebit.test.build}, set by the pom), the first to
     * ask trains it under a file lock and the other waits for it; without that property (a test run
     * from an IDE) once per JVM. The tests only read it.
     */
    static synchronized Path deployedModel() throws IOException {
        if (deployed == null) {
            Path target = Files.createDirectories(Path.of("target"));
            String build = System.getProperty("spikebit.test.build", "");
            if (build.isEmpty()) {
                deployed = train(Files.createTempDirectory(target, "test-model"));
            } else {
                deployed = sharedModel(Files.createDirectories(target.resolve("test-model-" + build)));
            }
        }
        return deployed;
    }

    /** The model in {@code dir}, trained there by whichever test JVM of this build takes the lock first. */
    private static Path sharedModel(Path dir) throws IOException {
        Path done = dir.resolve("done");
        try (FileChannel lock =
                        FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lock.lock()) {
            if (!Files.exists(done)) {
                train(dir);
                Files.writeString(done, "trained by " + ProcessHandle.current().pid());
            }
        }
        return dir.resolve("deployed.safetensors");
    }

    private static Path train(Path dir) {
        Path run = dir.resolve("run");
        run(
                "train",
                "--spikes",
                "real",
                "--weights",
                "binary",
                "--epochs",
                "1",
                "--train-limit",
                "512",
                "--test-limit",
                "64",
                "--out",
                run.toString());
        Path model = dir.resolve("deployed.safetensors");
        run("deploy", "--checkpoint", run.resolve("last.safetensors").toString(), "--out", model.toString());
        return model;
    }

    /** The training checkpoint the deployed model of {@link #deployedModel} was made from. */
    static Path checkpoint() throws IOException {
        return deployedModel().resolveSibling("run").resolve("last.safetensors");
    }

    /** The lines of {@code infer}'s output but the timing line. */
    static List<String> withoutTiming(String inferOutput) {
        return Arrays.stream(inferOutput.split("\\R"))
                .filter(l -> !l.matches("\\d+ images in .* s \\(.*"))
                .toList();
    }
}
