package dev.spikebit.data.augment;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A per-sample transform applied in place while a batch is assembled: random crop, horizontal
 * flip, cutout, normalisation (docs/methods.md section 5, "random crop (pad 4) and horizontal flip;
 * optional cutout").
 *
 * <p>A sample is {@code float[]} data at an offset with a shape whose last two axes are height
 * and width: {@code [C, H, W]} for images, {@code [T, C, H, W]} for event frames. Spatial
 * transforms move every plane alike, so all channels and time steps stay aligned. The random
 * generator belongs to this one sample (the loader derives it from seed, epoch and index), so the
 * result depends on nothing else, not on the thread or the order in which samples are prepared.
 */
@FunctionalInterface
public interface Augmentation {

    /**
     * Transforms the sample at {@code data[offset .. offset + product(shape))} in place.
     *
     * @param shape the sample's shape; read it, do not change it
     * @param rng   this sample's random generator
     */
    void apply(float[] data, int offset, int[] shape, RandomGenerator rng);

    /** This transform, then {@code next}. */
    default Augmentation andThen(Augmentation next) {
        return compose(this, next);
    }

    /** The transforms applied one after the other, in the order given. */
    static Augmentation compose(Augmentation... steps) {
        return new Compose(List.of(steps));
    }

    /** The standard training augmentation for CIFAR-sized images: crop with padding 4, then flip with p = 0.5. */
    static Augmentation cropAndFlip(int padding) {
        return compose(new RandomCrop(padding), new HorizontalFlip());
    }
}
