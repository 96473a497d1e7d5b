package dev.spikebit.train.subbit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MPFD fine-tuning fits the launcher's default heap. It used not to: the student's exposed
 * potentials kept the graph of a whole training step alive into the next step, and an evaluation
 * (batches of 256) still exposed and kept every conv stage's potentials and outputs, so {@code
 * compress --mpfd} on fmnist-vgg-s ran out of a 1 GB heap when it scored the test set after its
 * first epoch. The run happens in a JVM of its own with exactly the launcher's heap flags.
 */
class MpfdHeapTest {
    /** The launcher's default heap (the {@code spikebit} script). */
    private static final List<String> LAUNCHER_HEAP =
            List.of("-Xmx1g", "-Xmn400m", "-XX:SurvivorRatio=2", "-XX:-UseAdaptiveSizePolicy", "-XX:+UseParallelGC");

    @TempDir
    Path dir;

    @Test
    void mpfdFineTuningAndItsEvaluationFitTheLaunchersHeap() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(LAUNCHER_HEAP);
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.add(MpfdFineTuningRun.class.getName());
        command.add(dir.toString());
        Path log = dir.resolve("run.log");
        Process run = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = run.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            run.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as(output).isTrue();
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("OutOfMemoryError").containsPattern("test accuracy 0\\.\\d+");
    }
}
