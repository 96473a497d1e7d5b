package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * N-MNIST (Orchard et al. 2015): MNIST digits recorded by an ATIS sensor moving along three
 * saccades, 34x34 pixels, 60,000 training and 10,000 test samples. Layout:
 * {@code N-MNIST/Train/<digit>/<id>.bin} and {@code N-MNIST/Test/<digit>/<id>.bin}, as unpacked
 * from the published {@code Train.zip} and {@code Test.zip}.
 */
public final class NMnist {

    public static final String FOLDER = "N-MNIST";
    public static final int CLASSES = 10;
    public static final int SIZE = AtisBinReader.NMNIST_SIZE;
    static final String HOW_TO_GET =
            "Download Train.zip and Test.zip from https://www.garrickorchard.com/datasets/n-mnist"
                    + " and unzip both into one folder (giving Train/ and Test/).";

    private NMnist() {}

    /** The 60,000 training samples, from the folder found by {@code dataDir} and the usual places. */
    public static FileEventSource train(Path dataDir) {
        return split(root(dataDir), "Train", "nmnist/train");
    }

    /** The 10,000 test samples. */
    public static FileEventSource test(Path dataDir) {
        return split(root(dataDir), "Test", "nmnist/test");
    }

    static Path root(Path dataDir) {
        return EventDataRoot.resolve(
                "N-MNIST",
                FOLDER,
                dataDir,
                dir -> Files.isDirectory(dir.resolve("Train")) || Files.isDirectory(dir.resolve("Test")),
                HOW_TO_GET);
    }

    private static FileEventSource split(Path root, String folder, String name) {
        Path dir = root.resolve(folder);
        List<FileEventSource.Sample> samples = new ArrayList<>();
        for (int digit = 0; digit < CLASSES; digit++) {
            Path classDir = dir.resolve(Integer.toString(digit));
            if (Files.isDirectory(classDir)) {
                for (Path file : DatasetFolders.files(classDir, ".bin")) {
                    samples.add(new FileEventSource.Sample(file, digit));
                }
            }
        }
        if (samples.isEmpty()) {
            throw DataException.inFile(dir, "holds no <digit>/<id>.bin files");
        }
        return new FileEventSource(name, samples, CLASSES, SIZE, SIZE, file -> AtisBinReader.read(file, SIZE, SIZE));
    }
}
