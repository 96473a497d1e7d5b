package dev.spikebit.core.nn;

import dev.spikebit.core.ops.LinearOp;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/** Fully connected layer {@code y = x W^T + b}; leading axes (batch, time) are merged around the product. */
public class Linear extends Module {
    protected final int inFeatures;
    protected final int outFeatures;
    protected final Tensor weight;
    protected final Tensor bias;

    // registerParameter is final in Module and only records the tensor, so no subclass code runs early.
    @SuppressWarnings("this-escape")
    public Linear(int inFeatures, int outFeatures, boolean bias, SplittableRandom rng) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter(
                "weight",
                Tensor.of(Init.fanIn(rng, outFeatures * inFeatures, inFeatures), outFeatures, inFeatures),
                ParamRole.WEIGHT);
        this.bias = bias
                ? registerParameter(
                        "bias", Tensor.of(Init.fanIn(rng, outFeatures, inFeatures), outFeatures), ParamRole.BIAS)
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        if (shape[shape.length - 1] != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input has " + shape[shape.length - 1] + " features");
        }
        Tensor flat = x.rank() == 2 ? x : x.reshape(-1, inFeatures);
        Tensor y = LinearOp.linear(flat, effectiveWeight(), bias);
        if (x.rank() == 2) {
            return y;
        }
        shape[shape.length - 1] = outFeatures;
        return y.reshape(shape);
    }

    /** The weight the product uses; quantized subclasses return their binary form. */
    protected Tensor effectiveWeight() {
        return weight;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public String describe() {
        return String.format(
                "%s(%d->%d%s)", getClass().getSimpleName(), inFeatures, outFeatures, bias == null ? ", no bias" : "");
    }
}
