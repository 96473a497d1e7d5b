package dev.spikebit.quant.binary;

import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.ParamRole;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A convolution with binary weights {@code alpha[c] * sign(W)} (docs/methods.md 2). The latent weight
 * W is initialised as a full-precision conv's; with {@link Amplitude#TRAINED} the amplitude is a
 * parameter named {@code alpha} of role {@link ParamRole#AMPLITUDE}, initialised to
 * {@code mean(|W[c]|)}.
 */
public final class BinaryConv2d extends Conv2d implements BinaryLayer {
    private final Amplitude amplitude;
    private final Tensor alpha;
    private final ChannelAmplitude scale;

    public BinaryConv2d(
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            boolean bias,
            SplittableRandom rng,
            Amplitude amplitude) {
        super(inChannels, outChannels, kernel, stride, padding, bias, rng);
        this.amplitude = amplitude;
        this.alpha = amplitude == Amplitude.TRAINED
                ? registerParameter("alpha", ChannelAmplitude.initial(weight, outChannels), ParamRole.AMPLITUDE)
                : null;
        this.scale = new ChannelAmplitude(weight, outChannels, alpha);
    }

    @Override
    protected Tensor effectiveWeight() {
        return scale.binaryWeight();
    }

    @Override
    public Tensor latentWeight() {
        return weight;
    }

    @Override
    public Amplitude amplitude() {
        return amplitude;
    }

    @Override
    public float[] amplitudes() {
        return scale.values();
    }

    /** The trainable amplitude parameter, or null with {@link Amplitude#FIXED}. */
    public Tensor alpha() {
        return alpha;
    }

    @Override
    public int outputs() {
        return outChannels;
    }

    @Override
    public int fanIn() {
        return inChannels * kernel * kernel;
    }

    @Override
    public String describe() {
        String base = super.describe();
        return amplitude == Amplitude.FIXED ? base.substring(0, base.length() - 1) + ", fixed alpha)" : base;
    }
}
