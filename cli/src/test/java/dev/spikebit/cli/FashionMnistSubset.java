package dev.spikebit.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spikebit.data.ArrayDataset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first images of real Fashion-MNIST's train and test splits, for tests that train briefly;
 * the test is skipped where the Debian package is not installed.
 *
 * @param train the first training images
 * @param test  the first test images
 */
public record FashionMnistSubset(ArrayDataset train, ArrayDataset test) {
    public static FashionMnistSubset load(int trainImages, int testImages) {
        assumeTrue(
                Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        var data = DatasetChoice.load("fashion-mnist", null, trainImages, testImages);
        return new FashionMnistSubset((ArrayDataset) data.train(), (ArrayDataset) data.test());
    }
}
