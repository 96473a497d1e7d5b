package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR10-DVS (Li et al. 2017): 10,000 CIFAR-10 images (1,000 per class) recorded by a DVS128
 * while moving on a monitor, stored as AEDAT 2.0 ({@link Aedat2Reader}). Layout:
 * {@code CIFAR10-DVS/<class>/cifar10_<class>_<n>.aedat} with the CIFAR-10 class names. There is no
 * official split: the first 90% of each class in natural name order ({@code _0} to {@code _899})
 * are the training set, the rest the test set, as with SpikingJelly's
 * {@code split_to_train_test_set(0.9, random_split=False)}.
 */
public final class Cifar10Dvs {

    public static final String FOLDER = "CIFAR10-DVS";
    public static final List<String> CLASS_NAMES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    public static final int SIZE = Aedat2Reader.DVS128_SIZE;
    static final String HOW_TO_GET = "Download the ten class archives (airplane.zip ... truck.zip) from"
            + " https://figshare.com/articles/dataset/CIFAR10-DVS_New/4724671 and unzip each into a folder named after"
            + " its class.";

    private Cifar10Dvs() {}

    public static FileEventSource train(Path dataDir) {
        return split(root(dataDir), true);
    }

    public static FileEventSource test(Path dataDir) {
        return split(root(dataDir), false);
    }

    static Path root(Path dataDir) {
        return EventDataRoot.resolve(
                "CIFAR10-DVS", FOLDER, dataDir, dir -> Files.isDirectory(dir.resolve("airplane")), HOW_TO_GET);
    }

    private static FileEventSource split(Path root, boolean train) {
        List<FileEventSource.Sample> samples = new ArrayList<>();
        for (int label = 0; label < CLASS_NAMES.size(); label++) {
            Path classDir = root.resolve(CLASS_NAMES.get(label));
            if (!Files.isDirectory(classDir)) {
                throw DataException.inFile(classDir, "is missing (CIFAR10-DVS needs one folder per CIFAR-10 class)");
            }
            List<Path> files = DatasetFolders.files(classDir, ".aedat");
            int cut = DatasetFolders.trainCount(files.size());
            for (Path file : train ? files.subList(0, cut) : files.subList(cut, files.size())) {
                samples.add(new FileEventSource.Sample(file, label));
            }
        }
        return new FileEventSource(
                train ? "cifar10-dvs/train" : "cifar10-dvs/test",
                samples,
                CLASS_NAMES.size(),
                SIZE,
                SIZE,
                Aedat2Reader::read);
    }
}
