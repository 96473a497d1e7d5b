package dev.spikebit.quant.binary;

import dev.spikebit.core.tensor.Tensor;

/**
 * A weight layer whose effective weight is {@code alpha[c] * sign(W)} (docs/methods.md 2): what the
 * re-parameterization needs to know about it, whatever its geometry.
 */
public sealed interface BinaryLayer permits BinaryConv2d, BinaryLinear {
    /** The latent full-precision weight W, {@code [out, ...]}; only its signs are deployed. */
    Tensor latentWeight();

    /** The bias added after the product, or null. */
    Tensor bias();

    /** Where alpha comes from. */
    Amplitude amplitude();

    /**
     * The amplitudes the forward uses now, one per output channel: the trained parameter's values
     * or, for {@link Amplitude#FIXED}, {@code mean(|W[c]|)} of the current latent weights. A copy.
     */
    float[] amplitudes();

    /** Output channels (conv) or features (linear): the number of amplitudes. */
    int outputs();

    /** Weights per output: {@code in * kernel * kernel} for a conv, {@code in} for a linear layer. */
    int fanIn();
}
