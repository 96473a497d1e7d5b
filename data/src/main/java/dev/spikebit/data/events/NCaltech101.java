package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * N-Caltech101 (Orchard et al. 2015): Caltech101 images recorded like N-MNIST, up to 240x180
 * pixels. Layout: {@code N-Caltech101/Caltech101/<category>/image_<n>.bin} (the inner
 * {@code Caltech101} folder may be the root itself). Classes are the category folders in sorted
 * order (as SpikingJelly and tonic number them). There is no official split: the first 90% of each
 * category's files, in natural name order, are the training set, the rest the test set.
 */
public final class NCaltech101 {

    public static final String FOLDER = "N-Caltech101";
    public static final int WIDTH = AtisBinReader.NCALTECH101_WIDTH;
    public static final int HEIGHT = AtisBinReader.NCALTECH101_HEIGHT;
    static final String HOW_TO_GET = "Download Caltech101.zip from https://www.garrickorchard.com/datasets/n-caltech101"
            + " and unzip it (giving Caltech101/<category>/image_NNNN.bin).";

    private NCaltech101() {}

    public static FileEventSource train(Path dataDir) {
        return split(root(dataDir), true);
    }

    public static FileEventSource test(Path dataDir) {
        return split(root(dataDir), false);
    }

    static Path root(Path dataDir) {
        Path found = EventDataRoot.resolve(
                "N-Caltech101",
                FOLDER,
                dataDir,
                dir -> Files.isDirectory(dir.resolve("Caltech101")) || Files.isDirectory(dir.resolve("airplanes")),
                HOW_TO_GET);
        return Files.isDirectory(found.resolve("Caltech101")) ? found.resolve("Caltech101") : found;
    }

    private static FileEventSource split(Path root, boolean train) {
        List<Path> categories = DatasetFolders.folders(root);
        List<FileEventSource.Sample> samples = new ArrayList<>();
        for (int label = 0; label < categories.size(); label++) {
            List<Path> files = DatasetFolders.files(categories.get(label), ".bin");
            int cut = DatasetFolders.trainCount(files.size());
            for (Path file : train ? files.subList(0, cut) : files.subList(cut, files.size())) {
                samples.add(new FileEventSource.Sample(file, label));
            }
        }
        if (samples.isEmpty()) {
            throw DataException.inFile(root, "holds no <category>/*.bin files");
        }
        return new FileEventSource(
                train ? "ncaltech101/train" : "ncaltech101/test",
                samples,
                categories.size(),
                WIDTH,
                HEIGHT,
                file -> AtisBinReader.read(file, WIDTH, HEIGHT));
    }
}
