package dev.spikebit.quant.binary;

import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.ParamRole;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A fully connected layer with binary weights {@code alpha[j] * sign(W)} (docs/methods.md 2), one
 * amplitude per output feature; see {@link BinaryConv2d} for the amplitude.
 */
public final class BinaryLinear extends Linear implements BinaryLayer {
    private final Amplitude amplitude;
    private final Tensor alpha;
    private final ChannelAmplitude scale;

    public BinaryLinear(int inFeatures, int outFeatures, boolean bias, SplittableRandom rng, Amplitude amplitude) {
        super(inFeatures, outFeatures, bias, rng);
        this.amplitude = amplitude;
        this.alpha = amplitude == Amplitude.TRAINED
                ? registerParameter("alpha", ChannelAmplitude.initial(weight, outFeatures), ParamRole.AMPLITUDE)
                : null;
        this.scale = new ChannelAmplitude(weight, outFeatures, alpha);
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
        return outFeatures;
    }

    @Override
    public int fanIn() {
        return inFeatures;
    }

    @Override
    public String describe() {
        String base = super.describe();
        return amplitude == Amplitude.FIXED ? base.substring(0, base.length() - 1) + ", fixed alpha)" : base;
    }
}
