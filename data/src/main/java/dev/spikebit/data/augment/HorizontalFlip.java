package dev.spikebit.data.augment;

import java.util.random.RandomGenerator;

/**
 * Mirrors the image left to right with the given probability (docs/methods.md section 5): output
 * {@code (y, x)} is input {@code (y, W - 1 - x)}, for every plane alike.
 *
 * @param probability the chance of flipping, in [0, 1]
 */
public record HorizontalFlip(double probability) implements Augmentation {

    public HorizontalFlip {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + probability);
        }
    }

    /** Flips half the samples, the usual choice. */
    public HorizontalFlip() {
        this(0.5);
    }

    /** Draws one {@code nextDouble()} and flips when it is below the probability. */
    @Override
    public void apply(float[] data, int offset, int[] shape, RandomGenerator rng) {
        if (rng.nextDouble() < probability) {
            flip(data, offset, Planes.of(shape, "horizontal flip"));
        }
    }

    static void flip(float[] data, int offset, Planes planes) {
        int w = planes.width();
        int rows = planes.count() * planes.height();
        for (int r = 0; r < rows; r++) {
            int left = offset + r * w;
            int right = left + w - 1;
            while (left < right) {
                float swap = data[left];
                data[left++] = data[right];
                data[right--] = swap;
            }
        }
    }
}
