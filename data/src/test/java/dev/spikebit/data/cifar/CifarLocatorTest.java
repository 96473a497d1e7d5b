package dev.spikebit.data.cifar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import dev.spikebit.data.mnist.Downloader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where CIFAR is looked for, and the download path, without any network. */
class CifarLocatorTest {

    @TempDir
    Path dir;

    private final List<URI> requested = new ArrayList<>();

    private static byte[] cifar10Archive() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : CifarVariant.CIFAR10.files()) {
            files.put("cifar-10-batches-bin/" + f, CifarFiles.records(0, new int[][] {{1}, {2}}));
        }
        return CifarFiles.tarGz(files);
    }

    private Downloader serving(byte[] content) {
        return (url, target) -> {
            requested.add(url);
            Files.write(target, content);
        };
    }

    private static final Downloader OFFLINE = (url, target) -> {
        throw new java.net.ConnectException("no route to " + url.getHost());
    };

    private static void writeFolder(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (String f : CifarVariant.CIFAR10.files()) {
            Files.write(folder.resolve(f), CifarFiles.records(0, new int[][] {{5}}));
        }
    }

    @Test
    void anExplicitFolderIsUsedAsItIsOrThroughItsSubfolder() throws IOException {
        Path given = dir.resolve("given");
        writeFolder(given.resolve("cifar-10-batches-bin"));
        assertThat(new CifarLocator(CifarVariant.CIFAR10, given, null, dir, OFFLINE).locate())
                .isEqualTo(given.resolve("cifar-10-batches-bin"));
        assertThat(new CifarLocator(CifarVariant.CIFAR10, given.resolve("cifar-10-batches-bin"), null, dir, OFFLINE)
                        .locate())
                .isEqualTo(given.resolve("cifar-10-batches-bin"));
    }

    @Test
    void anExplicitFolderWithoutTheDataIsAnErrorEvenIfTheCacheHasIt() throws IOException {
        writeFolder(dir.resolve(".cache/spikebit/cifar-10-batches-bin"));
        assertThatThrownBy(
                        () -> new CifarLocator(CifarVariant.CIFAR10, dir.resolve("empty"), null, dir, OFFLINE).locate())
                .isInstanceOf(DataException.class)
                .hasMessageContaining("--data-dir")
                .hasMessageContaining(dir.resolve("empty").toString());
    }

    @Test
    void spikebitDataComesBeforeTheCache() throws IOException {
        Path shared = dir.resolve("shared");
        writeFolder(shared.resolve("cifar-10-batches-bin"));
        writeFolder(dir.resolve(".cache/spikebit/cifar-10-batches-bin"));
        assertThat(new CifarLocator(CifarVariant.CIFAR10, null, shared.toString(), dir, OFFLINE).locate())
                .isEqualTo(shared.resolve("cifar-10-batches-bin"));
        assertThat(new CifarLocator(CifarVariant.CIFAR10, null, null, dir, OFFLINE).locate())
                .isEqualTo(dir.resolve(".cache/spikebit/cifar-10-batches-bin"));
    }

    @Test
    void downloadsChecksUnpacksAndDeletesTheArchive() throws IOException {
        byte[] archive = cifar10Archive();
        Path tmp = Files.write(dir.resolve("expected.tar.gz"), archive);
        String md5 = CifarLocator.md5(tmp);
        Path home = dir.resolve("home");

        Path found = new CifarLocator(CifarVariant.CIFAR10, null, null, home, serving(archive), md5).locate();

        assertThat(requested).containsExactly(URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"));
        assertThat(found).isEqualTo(home.resolve(".cache/spikebit/cifar-10-batches-bin"));
        CifarData data = Cifar10.read(found);
        assertThat(data.train().size()).isEqualTo(10);
        assertThat(data.test().label(1)).isEqualTo(2);
        try (var files = Files.list(home.resolve(".cache/spikebit"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("cifar-10-batches-bin");
        }
    }

    @Test
    void anArchiveWithTheWrongMd5IsRejected() throws IOException {
        Path home = dir.resolve("home");
        assertThatThrownBy(() ->
                        new CifarLocator(CifarVariant.CIFAR10, null, null, home, serving(cifar10Archive())).locate())
                .isInstanceOf(DataException.class)
                .hasMessageContaining("MD5")
                .hasMessageContaining("c32a1d4ab5d03f1284b67883e8d87530");
        assertThat(home.resolve(".cache/spikebit/cifar-10-binary.tar.gz")).doesNotExist();
    }

    @Test
    void anArchiveLeftInSpikebitDataIsUnpackedThere() throws IOException {
        byte[] archive = cifar10Archive();
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path file = Files.write(shared.resolve("cifar-10-binary.tar.gz"), archive);
        Path found = new CifarLocator(
                        CifarVariant.CIFAR10, null, shared.toString(), dir, OFFLINE, CifarLocator.md5(file))
                .locate();
        assertThat(found).isEqualTo(shared.resolve("cifar-10-batches-bin"));
        assertThat(found.resolve("test_batch.bin")).isRegularFile();
    }

    @Test
    void offlineTheErrorListsEveryWayToProvideTheData() {
        Path home = dir.resolve("home");
        assertThatThrownBy(() -> new CifarLocator(CifarVariant.CIFAR100, null, "/nowhere", home, OFFLINE).locate())
                .isInstanceOf(DataException.class)
                .hasMessageContaining("CIFAR-100 not found")
                .hasMessageContaining("/nowhere/cifar-100-binary")
                .hasMessageContaining(
                        home.resolve(".cache/spikebit/cifar-100-binary").toString())
                .hasMessageContaining("no route to www.cs.toronto.edu")
                .hasMessageContaining("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz")
                .hasMessageContaining("03b5dce01913d631647c71ecec9e9cb8")
                .hasMessageContaining("--data-dir")
                .hasMessageContaining("SPIKEBIT_DATA");
    }
}
