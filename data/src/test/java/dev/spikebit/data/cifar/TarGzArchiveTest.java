package dev.spikebit.data.cifar;

import static dev.spikebit.data.cifar.CifarFiles.gzip;
import static dev.spikebit.data.cifar.CifarFiles.tarEntry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction from ustar archives written block by block as POSIX ustar defines them. */
class TarGzArchiveTest {

    @TempDir
    Path dir;

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void extractsExactlyTheRequestedMembers() throws IOException {
        byte[] batch = bytes(3073 * 3, 1);
        byte[] test = bytes(512, 2); // exactly one block: no padding
        byte[] meta = "airplane\nautomobile\n".getBytes(StandardCharsets.US_ASCII);
        String longName = "cifar-10-batches-bin/" + "x".repeat(120) + ".bin";
        String pax = "30 path=cifar-10-batches-bin/p\n";
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.writeBytes(tarEntry("cifar-10-batches-bin/", "", '5', new byte[0]));
        tar.writeBytes(tarEntry("batches.meta.txt", "cifar-10-batches-bin", '0', meta));
        tar.writeBytes(tarEntry("././@LongLink", "", 'L', (longName + "\0").getBytes(StandardCharsets.US_ASCII)));
        tar.writeBytes(tarEntry("ignored-short-name", "", '0', bytes(10, 3)));
        tar.writeBytes(tarEntry("PaxHeader/p", "", 'x', pax.getBytes(StandardCharsets.US_ASCII)));
        tar.writeBytes(tarEntry("p-short", "", '0', bytes(700, 4)));
        tar.writeBytes(tarEntry("./cifar-10-batches-bin/data_batch_1.bin", "", '0', batch));
        tar.writeBytes(tarEntry("cifar-10-batches-bin/test_batch.bin", "", '0', test));
        tar.writeBytes(new byte[1024]);
        Path archive = Files.write(dir.resolve("a.tar.gz"), gzip(tar.toByteArray()));

        Path out = dir.resolve("out");
        Map<String, Path> written = TarGzArchive.extract(
                archive,
                Set.of(
                        "cifar-10-batches-bin/data_batch_1.bin",
                        "cifar-10-batches-bin/test_batch.bin",
                        "cifar-10-batches-bin/batches.meta.txt",
                        longName,
                        "cifar-10-batches-bin/p"),
                out);

        assertThat(Files.readAllBytes(written.get("cifar-10-batches-bin/data_batch_1.bin")))
                .isEqualTo(batch);
        assertThat(Files.readAllBytes(out.resolve("cifar-10-batches-bin/test_batch.bin")))
                .isEqualTo(test);
        assertThat(Files.readAllBytes(out.resolve("cifar-10-batches-bin/batches.meta.txt")))
                .isEqualTo(meta);
        assertThat(Files.readAllBytes(out.resolve(longName))).isEqualTo(bytes(10, 3));
        assertThat(Files.readAllBytes(out.resolve("cifar-10-batches-bin/p"))).isEqualTo(bytes(700, 4));
        assertThat(out.resolve("ignored-short-name")).doesNotExist();
    }

    @Test
    void aMissingMemberIsNamed() throws IOException {
        Path archive = Files.write(dir.resolve("b.tar.gz"), CifarFiles.tarGz(Map.of("x/a.bin", bytes(5, 0))));
        assertThatThrownBy(() -> TarGzArchive.extract(archive, Set.of("x/a.bin", "x/b.bin"), dir.resolve("o")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(archive.toString())
                .hasMessageContaining("x/b.bin");
    }

    @Test
    void aDamagedHeaderFailsItsChecksum() throws IOException {
        byte[] entry = tarEntry("x/a.bin", "", '0', bytes(5, 0));
        entry[3] ^= 1; // one bit of the name
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.writeBytes(entry);
        tar.writeBytes(new byte[1024]);
        Path archive = Files.write(dir.resolve("c.tar.gz"), gzip(tar.toByteArray()));
        assertThatThrownBy(() -> TarGzArchive.extract(archive, Set.of("x/a.bin"), dir.resolve("o")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void aTruncatedArchiveIsReported() throws IOException {
        byte[] whole = CifarFiles.tarGz(Map.of("x/a.bin", bytes(100_000, 7)));
        Path archive = Files.write(dir.resolve("d.tar.gz"), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> TarGzArchive.extract(archive, Set.of("x/a.bin"), dir.resolve("o")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(archive.toString());
        assertThat(dir.resolve("o/x/a.bin")).doesNotExist();
    }

    @Test
    void membersCannotLeaveTheTargetFolder() {
        assertThatThrownBy(() -> TarGzArchive.extract(dir.resolve("any"), Set.of("../evil"), dir.resolve("o")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
