package dev.spikebit.core.nn;

import dev.spikebit.core.tensor.Tensor;

/**
 * A neuron layer that can run together with the batch norm before it and the max pooling after it,
 * in one pass that writes neither the normalised input nor its own full-resolution output. The
 * result is what the three layers compute one after the other, to the bit, forward and backward.
 */
public interface PoolingNeuron {
    /**
     * {@code pool.forward(forward(norm.forward(x)))} in one pass, with {@code norm} null for no
     * batch norm. With {@code repeatSteps > 0}, {@code x} is one step {@code [B, C, H, W]} that the
     * neurons read at each of that many steps (direct encoding's repeated stem output). Returns
     * null where the fused pass does not apply (another pooling window, a kept or exposed state, a
     * shape it does not handle); the caller then runs the layers one by one.
     */
    Tensor forwardPooled(Tensor x, BatchNorm norm, MaxPool2d pool, int repeatSteps);
}
