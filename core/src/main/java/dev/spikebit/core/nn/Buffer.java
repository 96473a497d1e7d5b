package dev.spikebit.core.nn;

/**
 * Non-trainable state that belongs in a checkpoint, such as batch-norm running statistics.
 */
public record Buffer(String name, float[] data, int[] shape) {}
