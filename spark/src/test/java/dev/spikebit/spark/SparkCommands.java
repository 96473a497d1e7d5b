package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * vary from image to image; made once per test JVM (the tests only read it).
     */
    static synchronized Path deployedModel() throws IOException {
        if (deployed == null) {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "test-model");
            deployed = train(dir);
        }
        return deployed;
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
