package dev.spikebit.quant.binary;

import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.ParamRole;
import dev.spikebit.core.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A fully connected layer with binary weights {@code alpha[j] * sign(W)} (methods.md 2), one
 * amplitude per output feature; see {@link BinaryConv2d} for the amplitude.
 */
public final class BinaryLinear extends Linear implements BinaryLayer {
    private final Amplitude amplitude;
    private final Tensor alpha;

    public BinaryLinear(int inFeatures, int outFeatures, boolean bias, SplittableRandom rng, Amplitude amplitude) {
        super(inFeatures, outFeatures, bias, rng);
        this.amplitude = amplitude;
        this.alpha = amplitude == Amplitude.TRAINED
                ? registerParameter("alpha", Tensor.of(ScaledSign.meanAbs(weight.data(), outFeatures), outFeatures),
                        ParamRole.AMPLITUDE)
                : null;
    }

    @Override
    protected Tensor effectiveWeight() {
        return alpha != null ? ScaledSign.apply(weight, alpha)
                : ScaledSign.apply(weight, ScaledSign.meanAbs(weight.data(), outFeatures));
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
        return alpha != null ? alpha.data().clone() : ScaledSign.meanAbs(weight.data(), outFeatures);
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
