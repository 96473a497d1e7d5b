package dev.spikebit.data;

import java.util.Arrays;
import java.util.Optional;

/**
 * The datasets spikebit loads by name (docs/data.md), with what the rest of the code needs to know
 * about each: its name on the command line, whether its samples are event frames, the frame size
 * used when none is given, and whether a mirror image keeps the class.
 */
public enum DatasetName {
    /** Fashion-MNIST: 1x28x28 grey images, 10 classes. */
    FASHION_MNIST("fashion-mnist", Kind.IMAGES, 0, true),
    /** CIFAR-10: 3x32x32 colour images, 10 classes. */
    CIFAR10("cifar10", Kind.IMAGES, 0, true),
    /** CIFAR-100 with its 100 fine labels. */
    CIFAR100("cifar100", Kind.IMAGES, 0, true),
    /** N-MNIST, recorded on a 34x34 sensor; digits, which a mirror turns into other shapes. */
    NMNIST("nmnist", Kind.RECORDED, 34, false),
    /** DVS128 Gesture; its left- and right-hand gestures are mirror images of each other. */
    DVS_GESTURE("dvs-gesture", Kind.RECORDED, 48, false),
    /** CIFAR10-DVS, recorded on a 128x128 sensor. */
    CIFAR10_DVS("cifar10-dvs", Kind.RECORDED, 48, true),
    /** N-Caltech101, recorded on a 240x180 sensor. */
    NCALTECH101("ncaltech101", Kind.RECORDED, 48, true),
    /** Fashion-MNIST run through the N-MNIST-like DVS emulator. */
    NFASHION_MNIST("nfashion-mnist", Kind.EMULATED, 34, true);

    /** Where a dataset's samples come from. */
    public enum Kind {
        /** Static images {@code [C, H, W]} in [0, 1]. */
        IMAGES,
        /** Event recordings of a sensor, binned into frames. */
        RECORDED,
        /** Static images run through the DVS emulator, binned into frames. */
        EMULATED
    }

    private final String id;
    private final Kind kind;
    private final int defaultFrameSize;
    private final boolean mirrorKeepsClass;

    DatasetName(String id, Kind kind, int defaultFrameSize, boolean mirrorKeepsClass) {
        this.id = id;
        this.kind = kind;
        this.defaultFrameSize = defaultFrameSize;
        this.mirrorKeepsClass = mirrorKeepsClass;
    }

    /** The name on the command line, e.g. {@code dvs-gesture}. */
    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether samples are event frames with a time axis. */
    public boolean isEvents() {
        return kind != Kind.IMAGES;
    }

    /**
     * The frame size used when none is given: the sensor for 34x34 data, 48x48 for the larger
     * sensors (as TET).
     *
     * @throws DataException for a dataset of static images
     */
    public int defaultFrameSize() {
        if (!isEvents()) {
            throw new DataException(id + " is not an event dataset");
        }
        return defaultFrameSize;
    }

    /** Whether a horizontally mirrored sample still shows its class (not for digits and gestures). */
    public boolean mirrorKeepsClass() {
        return mirrorKeepsClass;
    }

    /**
     * The dataset called {@code id}.
     *
     * @throws DataException naming the unknown name and the known ones
     */
    public static DatasetName of(String id) {
        return Arrays.stream(values())
                .filter(d -> d.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new DataException("unknown dataset \"" + id + "\"; known: "
                        + String.join(
                                ", ",
                                Arrays.stream(values()).map(DatasetName::id).toList())));
    }

    /**
     * The dataset of static images with this shape and number of classes, if exactly one has them:
     * Fashion-MNIST for 1x28x28 and 10 classes, CIFAR-10 or CIFAR-100 for 3x32x32 by the classes.
     */
    public static Optional<DatasetName> ofImages(int channels, int size, int classes) {
        if (channels == 1 && size == 28 && classes == 10) {
            return Optional.of(FASHION_MNIST);
        }
        if (channels == 3 && size == 32 && (classes == 10 || classes == 100)) {
            return Optional.of(classes == 10 ? CIFAR10 : CIFAR100);
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}
