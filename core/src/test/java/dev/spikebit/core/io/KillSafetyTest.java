package dev.spikebit.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.nn.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;

/**
 * A process killed at the exact moment of a checkpoint write, in the middle of the content or
 * between the finished content and the rename, leaves the previous checkpoint loadable and
 * unchanged: a child JVM writes over a checkpoint with {@link AtomicFiles}' crash hook set and
 * halts there.
 */
class KillSafetyTest {
    private static final ModelSpec SPEC = ModelSpec.defaults("fmnist-cnn", 4, 1, 28, 10);

    /** The child: overwrites {@code args[0]} with a checkpoint of seed {@code args[1]}. */
    public static void main(String[] args) {
        Checkpoint.save(Path.of(args[0]), SPEC, layer(Long.parseLong(args[1])), null, Map.of("epoch", args[1]));
        System.exit(0);
    }

    /** A layer large enough (64 KB of weights) that the content takes many buffer flushes. */
    private static Linear layer(long seed) {
        return new Linear(128, 128, true, new SplittableRandom(seed));
    }

    @ParameterizedTest
    @EnumSource(value = AtomicFiles.CrashPoint.class, mode = Mode.EXCLUDE, names = "NONE")
    void thePreviousCheckpointSurvivesAKillAt(AtomicFiles.CrashPoint point, @TempDir Path dir) throws Exception {
        Path target = dir.resolve("last.safetensors");
        Linear previous = layer(1);
        Checkpoint.save(target, SPEC, previous, null, Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(target);

        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--add-modules",
                        "jdk.incubator.vector",
                        "-D" + AtomicFiles.CRASH_PROPERTY + "=" + point.name(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        KillSafetyTest.class.getName(),
                        target.toString(),
                        "2")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue())
                .as(Files.readString(dir.resolve("child.log")))
                .isEqualTo(AtomicFiles.CRASH_STATUS);

        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        Checkpoint loaded = Checkpoint.load(target);
        assertThat(loaded.info("epoch", "")).isEqualTo("1");
        previous.stateDict()
                .forEach(
                        (name, e) -> assertThat(loaded.model().get(name).data()).containsExactly(e.data()));
        // The killed write left its temporary file: partly written, or whole but never renamed.
        List<Path> temporaries = temporaries(dir);
        assertThat(temporaries).hasSize(1);
        long size = Files.size(temporaries.getFirst());
        if (point == AtomicFiles.CrashPoint.MID_WRITE) {
            assertThat(size).isEqualTo(4096);
        } else {
            assertThat(size).isEqualTo(before.length);
        }

        // The next write replaces the checkpoint as usual.
        Checkpoint.save(target, SPEC, layer(3), null, Map.of("epoch", "3"));
        assertThat(Checkpoint.load(target).info("epoch", "")).isEqualTo("3");
    }

    private static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp"))
                    .toList();
        }
    }
}
