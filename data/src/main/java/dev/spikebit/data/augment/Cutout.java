package dev.spikebit.data.augment;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Cutout (DeVries and Taylor, 2017), the optional augmentation of docs/methods.md section 5: zeros a
 * {@code size x size} square centred on a uniformly random pixel, clipped where it leaves the
 * image, in every plane alike. The square spans rows {@code cy - size/2 .. cy - size/2 + size - 1}
 * and the same for columns.
 *
 * @param size the side of the square, {@code >= 1}
 */
public record Cutout(int size) implements Augmentation {

    public Cutout {
        if (size < 1) {
            throw new IllegalArgumentException("cutout size must be >= 1, got " + size);
        }
    }

    /** Draws the centre row {@code cy}, then the centre column {@code cx}. */
    @Override
    public void apply(float[] data, int offset, int[] shape, RandomGenerator rng) {
        Planes planes = Planes.of(shape, "cutout");
        int cy = rng.nextInt(planes.height());
        int cx = rng.nextInt(planes.width());
        erase(data, offset, planes, cy - size / 2, cx - size / 2, size);
    }

    static void erase(float[] data, int offset, Planes planes, int top, int left, int size) {
        int y0 = Math.max(0, top);
        int y1 = Math.min(planes.height(), top + size);
        int x0 = Math.max(0, left);
        int x1 = Math.min(planes.width(), left + size);
        if (x0 >= x1) {
            return;
        }
        for (int p = 0; p < planes.count(); p++) {
            int base = offset + p * planes.planeSize();
            for (int y = y0; y < y1; y++) {
                Arrays.fill(data, base + y * planes.width() + x0, base + y * planes.width() + x1, 0f);
            }
        }
    }
}
