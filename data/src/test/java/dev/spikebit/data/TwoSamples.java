package dev.spikebit.data;

/**
 * Datasets of two blank samples (labels 0 and 1) with a given sample shape, for tests of what
 * depends on the shape alone: fitting a model to the data, choosing an augmentation.
 */
public final class TwoSamples {
    private TwoSamples() {}

    /** Two static images of shape {@code [C, H, W]}. */
    public static ArrayDataset images(String name, int classes, int... sampleShape) {
        int per = 1;
        for (int d : sampleShape) {
            per *= d;
        }
        return new ArrayDataset(name, new float[2 * per], new int[] {0, 1}, sampleShape, classes);
    }

    /** Two event samples of {@code steps} frames of 2 x size x size. */
    public static ArrayDataset frames(String name, int steps, int classes, int size) {
        int per = steps * 2 * size * size;
        return new ArrayDataset(
                name, new float[2 * per], new int[] {0, 1}, new int[] {steps, 2, size, size}, classes, steps);
    }
}
