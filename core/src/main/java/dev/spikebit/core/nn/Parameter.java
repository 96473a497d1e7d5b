package dev.spikebit.core.nn;

import dev.spikebit.core.tensor.Tensor;

/**
 * A trainable tensor of a module: a leaf that requires gradients, updated in place by optimizers.
 * {@code name} is the dotted path in the model, as in checkpoints ({@code features.0.weight}).
 */
public record Parameter(String name, Tensor value, ParamRole role) {
    public Parameter {
        value.requiresGrad(true);
    }

    public float[] data() {
        return value.data();
    }

    public float[] grad() {
        return value.grad();
    }

    public int size() {
        return value.size();
    }
}
