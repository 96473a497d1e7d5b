package dev.spikebit.data.cifar;

import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-100 (Krizhevsky 2009): 60,000 32x32 colour images in 100 fine classes grouped into 20
 * coarse superclasses, 50,000 for training in {@code train.bin} and 10,000 for testing in
 * {@code test.bin} (binary version: each record starts with the coarse label byte, then the fine
 * label byte; {@link CifarBinaryReader}). Samples are {@code [3, 32, 32]} floats in [0, 1].
 */
public final class Cifar100 {

    /** Which of the two labels a sample carries. */
    public enum Labels {
        /** The 100 classes (the usual benchmark), the second label byte. */
        FINE(100, 1),
        /** The 20 superclasses, the first label byte. */
        COARSE(20, 0);

        private final int numClasses;
        private final int labelByte;

        Labels(int numClasses, int labelByte) {
            this.numClasses = numClasses;
            this.labelByte = labelByte;
        }

        public int numClasses() {
            return numClasses;
        }

        int labelByte() {
            return labelByte;
        }
    }

    /** Mean and standard deviation per channel (R, G, B) of the 50,000 training images. */
    public static final ChannelStats STATS =
            new ChannelStats(new float[] {0.5071f, 0.4865f, 0.4409f}, new float[] {0.2673f, 0.2564f, 0.2762f});

    /** The side of the cutout square usual for CIFAR-100 (DeVries and Taylor 2017). */
    public static final int CUTOUT_SIZE = 8;

    private Cifar100() {}

    /** Finds (or downloads) CIFAR-100 as {@link CifarLocator} describes and reads both splits. */
    public static CifarData load(Path dataDirOrNull, Labels labels) {
        return read(CifarLocator.standard(CifarVariant.CIFAR100, dataDirOrNull).locate(), labels);
    }

    /** Reads both splits from a {@code cifar-100-binary} folder, with fine or coarse labels. */
    public static CifarData read(Path directory, Labels labels) {
        CifarVariant v = CifarVariant.CIFAR100;
        String name = labels == Labels.FINE ? "cifar100" : "cifar100-coarse";
        return new CifarData(
                images(name + "/train", directory.resolve(v.trainFiles().getFirst()), labels),
                images(name + "/test", directory.resolve(v.testFile()), labels),
                directory);
    }

    private static CifarImages images(String name, Path file, Labels labels) {
        return new CifarImages(
                name,
                CifarBinaryReader.read(
                        List.of(file), CifarVariant.CIFAR100.labelBytes(), labels.labelByte(), labels.numClasses()),
                labels.numClasses());
    }
}
