package dev.spikebit.data.loader;

/**
 * One batch of samples stacked along a new first axis, ready to wrap in a tensor.
 *
 * <p>Unless the loader was built with {@link DataLoader.Builder#reuseBuffers(boolean)}, the
 * arrays belong to the receiver. With buffer reuse, {@code x} is valid only until the next call to
 * {@link Epoch#next()}: copy it (or finish with it) before asking for the next batch.
 *
 * @param x      the samples, row-major, {@code product(shape)} floats
 * @param shape  {@code [B, sampleShape...]}
 * @param labels one class label per sample
 */
public record Batch(float[] x, int[] shape, int[] labels) {

    /** The number of samples, {@code B}. */
    public int size() {
        return labels.length;
    }
}
