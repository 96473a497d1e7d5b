package dev.spikebit.core.nn;

import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.ops.WeightGradientPath;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/** 2-D convolution layer (groups = 1); accepts {@code [N, C, H, W]} or multi-step {@code [T, B, C, H, W]}. */
public class Conv2d extends Module {
    protected final int inChannels;
    protected final int outChannels;
    protected final int kernel;
    protected final int stride;
    protected final int padding;
    protected final Tensor weight;
    protected final Tensor bias;
    /**
     * The weight gradient's path this layer took last, so that an input density near a limit does
     * not switch paths at every step ({@link WeightGradientPath}). Not part of the model: it
     * starts afresh whenever the layer is put into training mode, as the trainer does at each
     * epoch, so a run resumed from an epoch's checkpoint takes the same paths as the run it
     * continues.
     */
    private final WeightGradientPath.Memory paths = new WeightGradientPath.Memory();

    // registerParameter is final in Module and only records the tensor, so no subclass code runs early.
    @SuppressWarnings("this-escape")
    public Conv2d(
            int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias, SplittableRandom rng) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        int fanIn = inChannels * kernel * kernel;
        this.weight = registerParameter(
                "weight",
                Tensor.of(Init.fanIn(rng, outChannels * fanIn, fanIn), outChannels, inChannels, kernel, kernel),
                ParamRole.WEIGHT);
        this.bias = bias
                ? registerParameter("bias", Tensor.of(Init.fanIn(rng, outChannels, fanIn), outChannels), ParamRole.BIAS)
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        WeightGradientPath.Memory memory = isTraining() ? paths : null;
        return MultiStep.apply(x, 4, in -> Conv2dOp.conv2d(in, effectiveWeight(), bias, stride, padding, memory));
    }

    @Override
    protected void modeSet(boolean training) {
        if (training) {
            paths.forget();
        }
    }

    /** The weight the convolution uses; quantized subclasses return their binary or sub-bit form. */
    protected Tensor effectiveWeight() {
        return weight;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public String describe() {
        return String.format(
                "%s(%d->%d, k%d, s%d, p%d%s)",
                getClass().getSimpleName(),
                inChannels,
                outChannels,
                kernel,
                stride,
                padding,
                bias == null ? ", no bias" : "");
    }
}
