package dev.spikebit.data.augment;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Random crop with zero padding: pad the image by {@code padding} zeros on every side, then cut a
 * window of the original size at a uniformly random position (docs/methods.md section 5, padding 4
 * for CIFAR). Cutting at {@code (top, left)} of the padded image is the same as shifting the
 * image by {@code dy = top - padding}, {@code dx = left - padding}: output pixel {@code (y, x)}
 * is input pixel {@code (y + dy, x + dx)}, or 0 where that falls outside. That shift is done in
 * place, without building the padded image.
 *
 * @param padding zeros added on each side, {@code >= 0}
 */
public record RandomCrop(int padding) implements Augmentation {

    public RandomCrop {
        if (padding < 0) {
            throw new IllegalArgumentException("crop padding must be >= 0, got " + padding);
        }
    }

    /** Draws {@code top}, then {@code left}, each uniform in {@code [0, 2 * padding]}. */
    @Override
    public void apply(float[] data, int offset, int[] shape, RandomGenerator rng) {
        int top = rng.nextInt(2 * padding + 1);
        int left = rng.nextInt(2 * padding + 1);
        shift(data, offset, Planes.of(shape, "random crop"), top - padding, left - padding);
    }

    /**
     * Moves every plane so that output {@code (y, x)} holds input {@code (y + dy, x + dx)}, filling
     * with 0 what comes from outside. Rows are visited in the order that reads each source row
     * before it is overwritten; within a row {@link System#arraycopy} copies overlapping ranges
     * correctly.
     */
    static void shift(float[] data, int offset, Planes planes, int dy, int dx) {
        if (dy == 0 && dx == 0) {
            return;
        }
        int h = planes.height();
        int w = planes.width();
        int kept = w - Math.abs(dx);
        for (int p = 0; p < planes.count(); p++) {
            int base = offset + p * planes.planeSize();
            for (int step = 0; step < h; step++) {
                int y = dy > 0 ? step : h - 1 - step;
                int row = base + y * w;
                int source = y + dy;
                if (source < 0 || source >= h || kept <= 0) {
                    Arrays.fill(data, row, row + w, 0f);
                    continue;
                }
                int from = base + source * w;
                if (dx >= 0) {
                    System.arraycopy(data, from + dx, data, row, kept);
                    Arrays.fill(data, row + kept, row + w, 0f);
                } else {
                    System.arraycopy(data, from, data, row - dx, kept);
                    Arrays.fill(data, row, row - dx, 0f);
                }
            }
        }
    }
}
