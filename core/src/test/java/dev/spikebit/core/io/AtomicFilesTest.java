package dev.spikebit.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.io.DType;
import dev.spikebit.runtime.io.TensorEntry;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesANewFileAndLeavesNothingElse() throws IOException {
        Path target = dir.resolve("metrics.json");

        AtomicFiles.writeString(target, "{\"loss\":0.5}");

        assertThat(target).hasContent("{\"loss\":0.5}");
        assertThat(listing()).containsExactly("metrics.json");
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path target = dir.resolve("metrics.json");
        Files.writeString(target, "old content that is longer than the new one");

        AtomicFiles.writeString(target, "new");

        assertThat(target).hasContent("new");
        assertThat(listing()).containsExactly("metrics.json");
    }

    @Test
    void whileWritingTheTargetStillHoldsTheOldFile() throws IOException {
        // The state a crash at this moment would leave: the old file, whole, plus a temporary file.
        Path target = dir.resolve("model.safetensors");
        TensorFiles.write(target, List.of(TensorEntry.ofFloats("w", new long[] {2}, new float[] {1, 2})), Map.of());
        byte[] old = Files.readAllBytes(target);

        AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            out.flush();
            assertThat(Files.readAllBytes(target)).isEqualTo(old);
            assertThat(TensorFiles.read(target).floats("w")).containsExactly(1, 2);
            assertThat(listing())
                    .hasSize(2)
                    .anyMatch(name -> name.startsWith(".model.safetensors.") && name.endsWith(".tmp"));
        });

        assertThat(Files.size(target)).isEqualTo(100_000);
    }

    @Test
    void writerThatThrowsMidWayLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("checkpoint.safetensors");
        Files.writeString(target, "the previous checkpoint");
        var crash = new IllegalStateException("simulated crash");

        Throwable thrown = catchThrowable(() -> AtomicFiles.write(target, out -> {
            out.write("half of the new che".getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw crash;
        }));

        assertThat(thrown).isSameAs(crash);
        assertThat(target).hasContent("the previous checkpoint");
        assertThat(listing()).containsExactly("checkpoint.safetensors");
    }

    @Test
    void writerThatThrowsAnIOExceptionIsReportedWithThePath() throws IOException {
        Path target = dir.resolve("out.bin");

        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    throw new IOException("disk full");
                }))
                .isInstanceOf(SpikebitException.class)
                .hasMessage(target + ": cannot write: disk full");
        assertThat(listing()).isEmpty();
    }

    @Test
    void safeTensorsWriteThatFailsMidWayLeavesTheOldCheckpointLoadable() throws IOException {
        Path target = dir.resolve("ckpt.safetensors");
        TensorFiles.write(
                target,
                List.of(TensorEntry.ofFloats("w", new long[] {3}, new float[] {1, 2, 3})),
                Map.of("epoch", "1"));
        byte[] old = Files.readAllBytes(target);
        // A tensor whose memory is gone by the time it is written: the write fails after the
        // header and the first tensor are out.
        MemorySegment released;
        try (Arena arena = Arena.ofConfined()) {
            released = arena.allocate(8);
        }
        var good = TensorEntry.ofLongs("a.step", new long[] {1}, new long[] {5});
        var broken = new TensorEntry("b.step", DType.I64, new long[] {1}, released);

        assertThatThrownBy(() -> TensorFiles.write(target, List.of(good, broken), Map.of("epoch", "2")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(Files.readAllBytes(target)).isEqualTo(old);
        assertThat(TensorFiles.read(target).metadata("epoch")).isEqualTo("1");
        assertThat(listing()).containsExactly("ckpt.safetensors");
    }

    @Test
    void writerMayCloseTheStream() throws IOException {
        Path target = dir.resolve("metrics.json");

        AtomicFiles.write(target, out -> {
            try (out) {
                out.write("{\"accuracy\":0.9}".getBytes(StandardCharsets.UTF_8));
            }
        });

        assertThat(target).hasContent("{\"accuracy\":0.9}");
    }

    @Test
    void newFileGetsTheDirectorysUsualPermissionsNotOwnerOnly() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Path reference = Files.createFile(dir.resolve("reference"));

        AtomicFiles.writeString(target, "x");

        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(expected);
    }

    @Test
    void missingDirectoryIsNamed() {
        Path target = dir.resolve("no/such/dir/model.safetensors");

        assertThatThrownBy(() -> AtomicFiles.writeString(target, "x"))
                .isInstanceOf(SpikebitException.class)
                .hasMessageStartingWith(target + ": cannot write: directory ")
                .hasMessageEndingWith("does not exist");
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
