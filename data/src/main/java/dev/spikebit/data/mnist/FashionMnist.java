package dev.spikebit.data.mnist;

import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.DataException;
import dev.spikebit.data.idx.IdxFile;
import dev.spikebit.data.idx.IdxReader;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grey images of clothing in 10 classes,
 * the small static-image task of docs/methods.md section 5.
 *
 * <p>Samples have shape {@code [1, 28, 28]} and pixels {@code byte / 255} in [0, 1]. Nothing else
 * is done to them: normalisation belongs to the model (or {@link dev.spikebit.data.augment.Normalize}),
 * and direct encoding repeats the image over time steps (docs/methods.md section 1).
 */
public final class FashionMnist {
    public static final int NUM_CLASSES = 10;
    public static final int HEIGHT = 28;
    public static final int WIDTH = 28;

    /** The class of each label, from the dataset's README. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** {@code PIXEL[b] = b / 255}: one table lookup per pixel instead of a division. */
    private static final float[] PIXEL = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            PIXEL[b] = b / 255f;
        }
    }

    private FashionMnist() {}

    /**
     * Loads both splits, finding the files as {@link FashionMnistLocator} describes (and
     * downloading them if no folder has them).
     *
     * @param dataDirOrNull the folder given with {@code --data-dir}, or null to search
     */
    public static FashionMnistData load(Path dataDirOrNull) {
        return load(FashionMnistLocator.standard(dataDirOrNull).locate());
    }

    /** Loads both splits from files already found. */
    public static FashionMnistData load(FashionMnistFiles files) {
        return new FashionMnistData(
                split("fashion-mnist/train", files.trainImages(), files.trainLabels()),
                split("fashion-mnist/test", files.testImages(), files.testLabels()),
                files.directory());
    }

    /** One split: an image file and its label file, checked against each other. */
    static ArrayDataset split(String name, Path imageFile, Path labelFile) {
        IdxFile images = IdxReader.read(imageFile, 3);
        IdxFile labels = IdxReader.read(labelFile, 1);
        if (images.shape()[1] != HEIGHT || images.shape()[2] != WIDTH) {
            throw DataException.inFile(
                    imageFile,
                    "holds images of " + images.shape()[1] + "x" + images.shape()[2]
                            + " pixels; Fashion-MNIST images are " + HEIGHT + "x" + WIDTH);
        }
        if (images.count() != labels.count()) {
            throw DataException.inFile(
                    labelFile,
                    "holds " + labels.count() + " labels but " + imageFile + " holds " + images.count()
                            + " images; the counts must match");
        }
        int[] classes = new int[labels.count()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = labels.unsigned(i);
            if (classes[i] >= NUM_CLASSES) {
                throw DataException.inFile(
                        labelFile,
                        "label " + i + " is " + classes[i] + "; Fashion-MNIST labels are 0.." + (NUM_CLASSES - 1));
            }
        }
        byte[] bytes = images.data();
        float[] pixels = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            pixels[i] = PIXEL[bytes[i] & 0xFF];
        }
        return new ArrayDataset(name, pixels, classes, new int[] {1, HEIGHT, WIDTH}, NUM_CLASSES);
    }
}
