package dev.spikebit.spark;

import java.io.Serializable;

/**
 * A batch of images sent to an executor: the {@code index}-th batch of the input, {@code count}
 * images of the model's input size one after the other. The batches are those of the
 * single-machine run, so every image meets the same computation.
 */
record ImageBatch(int index, int count, float[] pixels) implements Serializable {}
