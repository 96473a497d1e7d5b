package dev.spikebit.data.events;

import static dev.spikebit.data.events.EventFileBytes.aedatHeader;
import static dev.spikebit.data.events.EventFileBytes.atisEvent;
import static dev.spikebit.data.events.EventFileBytes.concat;
import static dev.spikebit.data.events.EventFileBytes.dvs128Event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder layouts of N-MNIST, N-Caltech101 and CIFAR10-DVS, and where their folders are looked for. */
class EventDatasetLayoutTest {

    @TempDir
    Path dir;

    @Test
    void nmnistReadsDigitFoldersOfBothSplits() throws IOException {
        Path root = dir.resolve("N-MNIST");
        for (int digit : new int[] {0, 3, 9}) {
            for (int id = 1; id <= 2; id++) {
                Path file =
                        root.resolve("Train").resolve(Integer.toString(digit)).resolve(String.format("%05d.bin", id));
                Files.createDirectories(file.getParent());
                Files.write(file, concat(atisEvent(digit, id, 1, 5), atisEvent(33, 33, 0, 9)));
            }
        }
        Path test = root.resolve("Test/7/00001.bin");
        Files.createDirectories(test.getParent());
        Files.write(test, atisEvent(1, 1, 1, 1));

        FileEventSource train = NMnist.train(dir); // found as dir/N-MNIST
        assertThat(train.size()).isEqualTo(6);
        assertThat(train.label(0)).isZero();
        assertThat(train.label(5)).isEqualTo(9);
        assertThat(train.events(3).x()).containsExactly(3, 33);
        assertThat(train.events(3).y()).containsExactly(2, 33);
        assertThat(NMnist.test(root).label(0)).isEqualTo(7); // the folder itself
    }

    @Test
    void namedDatasetsAreBinnedAndCached() throws IOException {
        for (int digit = 0; digit < 2; digit++) {
            Path file = dir.resolve("Test").resolve(Integer.toString(digit)).resolve("00001.bin");
            Files.createDirectories(file.getParent());
            Files.write(file, concat(atisEvent(digit, 0, 1, 5), atisEvent(33, 33, 0, 9), atisEvent(2, 2, 1, 11)));
        }
        FrameBinning binning = new FrameBinning(3, BinningMode.EVENT_COUNT, 34, 34);
        dev.spikebit.data.Dataset frames = EventDatasets.frames("nmnist", false, dir, binning, dir.resolve("cache"));
        assertThat(frames.size()).isEqualTo(2);
        assertThat(frames.sampleShape()).containsExactly(3, 2, 34, 34);
        float[] sample = new float[frames.sampleSize()];
        frames.copySample(1, sample, 0);
        assertThat(sample[34 * 34 + 1]).isEqualTo(1f); // frame 0, ON, (x 1, y 0)
        assertThat(sample[2 * 2 * 34 * 34 + 34 * 34 + 2 * 34 + 2]).isEqualTo(1f); // frame 2, ON, (2, 2)
        assertThat(dir.resolve("cache")).isDirectoryContaining(p -> p.toString().endsWith(".frames"));
        assertThatThrownBy(() -> EventDatasets.source("dvs-lip", true, dir)).hasMessageContaining("nmnist");
    }

    @Test
    void cifar10DvsSplitsTheFirstNinetyPercentOfEachClassInNaturalOrder() throws IOException {
        byte[] header = aedatHeader("#!AER-DAT2.0", "# created for a test");
        for (String name : Cifar10Dvs.CLASS_NAMES) {
            Files.createDirectories(dir.resolve(name));
            for (int n = 0; n < 10; n++) {
                // timestamp n tells the files apart; natural order puts _9 before _10
                Files.write(
                        dir.resolve(name).resolve("cifar10_" + name + "_" + (n == 9 ? 10 : n) + ".aedat"),
                        concat(header, dvs128Event(1, 2, 0, false, n)));
            }
        }
        FileEventSource train = Cifar10Dvs.train(dir);
        FileEventSource test = Cifar10Dvs.test(dir);
        assertThat(train.size()).isEqualTo(90);
        assertThat(test.size()).isEqualTo(10);
        assertThat(train.events(8).t()).containsExactly(8L);
        assertThat(test.events(0).t()).containsExactly(9L); // cifar10_airplane_10, the last in natural order
        assertThat(test.samples().get(0).file().getFileName().toString()).isEqualTo("cifar10_airplane_10.aedat");
        assertThat(test.label(9)).isEqualTo(9);
        assertThat(train.label(89)).isEqualTo(9);
    }

    @Test
    void ncaltech101NumbersSortedCategoryFolders() throws IOException {
        Path inner = dir.resolve("Caltech101");
        for (String category : new String[] {"airplanes", "BACKGROUND_Google", "yin_yang"}) {
            for (int n = 1; n <= 10; n++) {
                Path file = inner.resolve(category).resolve(String.format("image_%04d.bin", n));
                Files.createDirectories(file.getParent());
                Files.write(file, atisEvent(239, 179, 1, n));
            }
        }
        FileEventSource train = NCaltech101.train(dir);
        assertThat(train.numClasses()).isEqualTo(3);
        assertThat(train.size()).isEqualTo(27);
        assertThat(train.samples().get(0).file().getParent().getFileName().toString())
                .isEqualTo("BACKGROUND_Google");
        assertThat(train.events(0).x()).containsExactly(239);
        assertThat(NCaltech101.test(dir).size()).isEqualTo(3);
    }

    @Test
    void looksInDataDirThenSpikebitDataThenTheCache() throws IOException {
        Path shared = dir.resolve("shared");
        Path home = dir.resolve("home");
        Path cached = Files.createDirectories(home.resolve(".cache/spikebit/N-MNIST/Train"));
        Map<String, String> env = Map.of("SPIKEBIT_DATA", shared.toString());
        java.util.function.Predicate<Path> looksRight = d -> Files.isDirectory(d.resolve("Train"));

        assertThat(EventDataRoot.resolve("N-MNIST", "N-MNIST", null, looksRight, "", env, home))
                .isEqualTo(cached.getParent());
        Path inShared = Files.createDirectories(shared.resolve("N-MNIST/Train")).getParent();
        assertThat(EventDataRoot.resolve("N-MNIST", "N-MNIST", null, looksRight, "", env, home))
                .isEqualTo(inShared);
        Path given = Files.createDirectories(dir.resolve("given/Train")).getParent();
        assertThat(EventDataRoot.resolve("N-MNIST", "N-MNIST", given, looksRight, "", env, home))
                .isEqualTo(given);
    }

    @Test
    void aGivenDataDirMustHoldTheData() throws IOException {
        Files.createDirectories(dir.resolve("home/.cache/spikebit/N-MNIST/Train"));
        assertThatThrownBy(() -> EventDataRoot.resolve(
                        "N-MNIST",
                        "N-MNIST",
                        dir.resolve("nope"),
                        d -> Files.isDirectory(d.resolve("Train")),
                        NMnist.HOW_TO_GET,
                        Map.of(),
                        dir.resolve("home")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(dir.resolve("nope").toString());
    }

    @Test
    void aMissingDatasetListsThePlacesTriedAndHowToGetIt() {
        Path home = dir.resolve("nohome");
        assertThatThrownBy(() -> EventDataRoot.resolve(
                        "N-MNIST",
                        "N-MNIST",
                        null,
                        d -> true,
                        NMnist.HOW_TO_GET,
                        Map.of("SPIKEBIT_DATA", "/srv/data"),
                        home))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("/srv/data/N-MNIST")
                .hasMessageContaining(home.resolve(".cache/spikebit/N-MNIST").toString())
                .hasMessageContaining("garrickorchard.com");
    }
}
