package dev.spikebit.spark;

import java.io.Serializable;

/**
 * A batch of images for an executor: the {@code index}-th batch of the input, images {@code
 * [first, first + count)} of the broadcast pixels. The batches are those of the single-machine run,
 * so every image meets the same computation.
 */
record ImageBatch(int index, int first, int count) implements Serializable {}
