package dev.spikebit.data.mnist;

import static dev.spikebit.data.mnist.FashionMnistTest.writeDataset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the locator looks, in which order, what it downloads, and what it says when it fails. */
class FashionMnistLocatorTest {
    @TempDir
    Path root;

    private final List<URI> requested = new ArrayList<>();

    private final Downloader offline = (url, target) -> {
        requested.add(url);
        throw new ConnectException("no network in this test");
    };

    private Path home() {
        return root.resolve("home");
    }

    private Path cache() {
        return home().resolve(".cache/spikebit/fashion-mnist");
    }

    private FashionMnistLocator locator(Path explicit, String env, List<Path> systemDirs, Downloader downloader) {
        return new FashionMnistLocator(explicit, env, home(), systemDirs, downloader);
    }

    @Test
    void explicitFolderWinsOverEverythingElse() throws IOException {
        Path given = root.resolve("given");
        writeDataset(given, 2, 1, true);
        writeDataset(cache(), 2, 1, true);

        FashionMnistFiles files =
                locator(given, root.toString(), List.of(), offline).locate();

        assertThat(files.directory()).isEqualTo(given);
        assertThat(files.trainImages()).isEqualTo(given.resolve("train-images-idx3-ubyte.gz"));
        assertThat(files.testLabels()).isEqualTo(given.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    @Test
    void explicitFolderMayHoldAFashionMnistSubfolder() throws IOException {
        writeDataset(root.resolve("datasets/fashion-mnist"), 2, 1, false);

        FashionMnistFiles files =
                locator(root.resolve("datasets"), null, List.of(), offline).locate();

        assertThat(files.directory()).isEqualTo(root.resolve("datasets/fashion-mnist"));
        assertThat(files.trainLabels().getFileName().toString()).isEqualTo("train-labels-idx1-ubyte");
    }

    @Test
    void explicitFolderWithoutTheDataFailsWithoutLookingElsewhere() throws IOException {
        Path given = root.resolve("given");
        Files.createDirectories(given);
        Files.write(given.resolve("train-images-idx3-ubyte.gz"), new byte[1]);
        writeDataset(cache(), 2, 1, true);

        assertThatThrownBy(() -> locator(given, null, List.of(), offline).locate())
                .isInstanceOf(DataException.class)
                .hasMessageContaining("--data-dir " + given.resolve("fashion-mnist") + ": does not exist")
                .hasMessageContaining("--data-dir " + given + ": lacks train-labels-idx1-ubyte.gz, "
                        + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz");
        assertThat(requested).isEmpty();
    }

    @Test
    void environmentVariableSubfolderThenFolderItself() throws IOException {
        Path env = root.resolve("env");
        writeDataset(env, 2, 1, true);
        assertThat(locator(null, env.toString(), List.of(), offline).locate().directory())
                .isEqualTo(env);

        writeDataset(env.resolve("fashion-mnist"), 2, 1, true);
        assertThat(locator(null, env.toString(), List.of(), offline).locate().directory())
                .isEqualTo(env.resolve("fashion-mnist"));
    }

    @Test
    void cacheComesBeforeSystemFolders() throws IOException {
        Path system = root.resolve("usr/share/datasets/fashion-mnist");
        writeDataset(system, 2, 1, true);
        assertThat(locator(null, null, List.of(system), offline).locate().directory())
                .isEqualTo(system);

        writeDataset(cache(), 2, 1, true);
        assertThat(locator(null, null, List.of(system), offline).locate().directory())
                .isEqualTo(cache());
        assertThat(requested).isEmpty();
    }

    @Test
    void nothingFoundListsEveryPlaceAndEveryWayToGetTheData() {
        Path system = root.resolve("usr/share/datasets/fashion-mnist");
        Path env = root.resolve("nowhere");

        assertThatThrownBy(() ->
                        locator(null, env.toString(), List.of(system), offline).locate())
                .isInstanceOf(DataException.class)
                .hasMessageContaining("$SPIKEBIT_DATA " + env.resolve("fashion-mnist") + ": does not exist")
                .hasMessageContaining("$SPIKEBIT_DATA " + env + ": does not exist")
                .hasMessageContaining("cache " + cache() + ": does not exist")
                .hasMessageContaining("system folder " + system + ": does not exist")
                .hasMessageContaining("download from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ into "
                        + cache() + ": failed (java.net.ConnectException: no network in this test)")
                .hasMessageContaining("--data-dir DIR")
                .hasMessageContaining("SPIKEBIT_DATA=DIR")
                .hasMessageContaining("~/.cache/spikebit/fashion-mnist")
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
        assertThat(requested).hasSize(1);
        assertThat(leftovers(cache())).isEmpty();
    }

    @Test
    void unsetEnvironmentVariableIsSaidSo() {
        assertThatThrownBy(() -> locator(null, null, List.of(), offline).locate())
                .hasMessageContaining("$SPIKEBIT_DATA: not set");
    }

    /** The downloader "serves" files the test made; their checksums stand in for the official ones. */
    @Test
    void downloadsWhatTheCacheLacksAndChecksEachFile() throws IOException {
        Path server = root.resolve("server");
        writeDataset(server, 3, 2, true);
        Map<String, String> sums = new HashMap<>();
        for (String stem : FashionMnistLocator.FILE_STEMS) {
            sums.put(stem + ".gz", FashionMnistLocator.sha256(server.resolve(stem + ".gz")));
        }
        Files.createDirectories(cache());
        Files.copy(server.resolve("train-images-idx3-ubyte.gz"), cache().resolve("train-images-idx3-ubyte.gz"));
        Downloader fromServer = (url, target) -> {
            requested.add(url);
            Files.copy(
                    server.resolve(Path.of(url.getPath()).getFileName().toString()),
                    target,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        };

        FashionMnistFiles files = new FashionMnistLocator(null, null, home(), List.of(), fromServer, sums).locate();

        assertThat(files.directory()).isEqualTo(cache());
        assertThat(requested)
                .containsExactly(
                        URI.create(
                                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz"),
                        URI.create(
                                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz"),
                        URI.create(
                                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz"));
        assertThat(leftovers(cache())).isEmpty();
        assertThat(FashionMnist.load(files).train().size()).isEqualTo(3);
    }

    @Test
    void downloadWithTheWrongChecksumIsDiscarded() {
        Downloader tampered = (url, target) -> Files.writeString(target, "<html>not the file</html>");

        assertThatThrownBy(() -> locator(null, null, List.of(), tampered).locate())
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz has SHA-256 ")
                .hasMessageContaining("expected 3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84");
        assertThat(cache().resolve("train-images-idx3-ubyte.gz")).doesNotExist();
        assertThat(leftovers(cache())).isEmpty();
    }

    /** Everything in {@code dir} that is not one of the four finished files. */
    private static List<Path> leftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> !FashionMnistLocator.FILE_STEMS.contains(
                            f.getFileName().toString().replace(".gz", "")))
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
