package dev.spikebit.data.cifar;

import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-10 (Krizhevsky 2009): 60,000 32x32 colour images in 10 classes, 50,000 for training in
 * {@code data_batch_1.bin} .. {@code data_batch_5.bin} and 10,000 for testing in
 * {@code test_batch.bin} (binary version, {@link CifarBinaryReader}). Samples are {@code [3, 32, 32]}
 * floats in [0, 1]; training uses random crop (pad 4), flip and optionally cutout
 * (docs/methods.md section 5).
 */
public final class Cifar10 {

    public static final int NUM_CLASSES = 10;
    public static final List<String> CLASS_NAMES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    /**
     * Mean and standard deviation per channel (R, G, B) of the 50,000 training images, the values
     * used throughout the CIFAR literature. (The also common std 0.2023, 0.1994, 0.2010 is the mean
     * of per-image standard deviations, not the dataset's.)
     */
    public static final ChannelStats STATS =
            new ChannelStats(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f});

    /** The side of the cutout square usual for CIFAR-10 (DeVries and Taylor 2017). */
    public static final int CUTOUT_SIZE = 16;

    private Cifar10() {}

    /** Finds (or downloads) CIFAR-10 as {@link CifarLocator} describes and reads both splits. */
    public static CifarData load(Path dataDirOrNull) {
        return read(CifarLocator.standard(CifarVariant.CIFAR10, dataDirOrNull).locate());
    }

    /** Reads both splits from a {@code cifar-10-batches-bin} folder. */
    public static CifarData read(Path directory) {
        CifarVariant v = CifarVariant.CIFAR10;
        List<Path> train = v.trainFiles().stream().map(directory::resolve).toList();
        return new CifarData(
                new CifarImages("cifar10/train", CifarBinaryReader.read(train, 1, 0, NUM_CLASSES), NUM_CLASSES),
                new CifarImages(
                        "cifar10/test",
                        CifarBinaryReader.read(List.of(directory.resolve(v.testFile())), 1, 0, NUM_CLASSES),
                        NUM_CLASSES),
                directory);
    }
}
