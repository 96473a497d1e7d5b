package dev.spikebit.data.augment;

import java.util.Arrays;

/**
 * A sample seen as a stack of {@code count} planes of {@code height x width}: every axis before
 * the last two is a stack axis (channels, time steps).
 */
record Planes(int count, int height, int width) {

    static Planes of(int[] shape, String who) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(who
                    + " needs samples with height and width as the last two axes, got shape " + Arrays.toString(shape));
        }
        int count = 1;
        for (int d = 0; d < shape.length - 2; d++) {
            count *= shape[d];
        }
        return new Planes(count, shape[shape.length - 2], shape[shape.length - 1]);
    }

    int planeSize() {
        return height * width;
    }
}
