package dev.spikebit.data.cifar;

import dev.spikebit.data.augment.Augmentation;
import dev.spikebit.data.augment.Cutout;
import dev.spikebit.data.augment.HorizontalFlip;
import dev.spikebit.data.augment.Normalize;
import dev.spikebit.data.augment.RandomCrop;

/**
 * The CIFAR augmentation recipes of docs/methods.md section 5, built from the {@code augment}
 * transforms: random crop with 4 pixels of zero padding, horizontal flip, optionally cutout
 * (DeVries and Taylor 2017: {@link Cifar10#CUTOUT_SIZE} 16 for CIFAR-10, {@link Cifar100#CUTOUT_SIZE}
 * 8 for CIFAR-100), then per-channel normalisation with the dataset's {@link ChannelStats}. As
 * everywhere in spikebit, normalisation comes last, so padding and the cutout square are 0 in the
 * raw pixel scale (black) before it.
 */
public final class CifarAugmentation {

    /** Zero padding of the random crop. */
    public static final int CROP_PADDING = 4;

    private CifarAugmentation() {}

    /** Crop (pad 4), flip, normalise. */
    public static Augmentation training(ChannelStats stats) {
        return Augmentation.compose(new RandomCrop(CROP_PADDING), new HorizontalFlip(), normalize(stats));
    }

    /** Crop (pad 4), flip, cutout of a {@code cutoutSize} square, normalise. */
    public static Augmentation training(ChannelStats stats, int cutoutSize) {
        return Augmentation.compose(
                new RandomCrop(CROP_PADDING), new HorizontalFlip(), new Cutout(cutoutSize), normalize(stats));
    }

    /** Normalisation only: what test images get. */
    public static Augmentation evaluation(ChannelStats stats) {
        return normalize(stats);
    }

    private static Normalize normalize(ChannelStats stats) {
        return new Normalize(stats.mean(), stats.std());
    }
}
