package dev.spikebit.core.nn;

import dev.spikebit.core.ops.Pooling;
import dev.spikebit.core.tensor.Tensor;

/** Max pooling with a square window; single- or multi-step input. */
public final class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;

    public MaxPool2d(int kernel) {
        this(kernel, kernel);
    }

    public MaxPool2d(int kernel, int stride) {
        this.kernel = kernel;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor x) {
        return MultiStep.apply(x, 4, in -> Pooling.maxPool2d(in, kernel, stride));
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    @Override
    public String describe() {
        return "MaxPool2d(" + kernel + (stride != kernel ? ", s" + stride : "") + ")";
    }
}
