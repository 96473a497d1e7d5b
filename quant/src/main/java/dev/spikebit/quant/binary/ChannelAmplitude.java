package dev.spikebit.quant.binary;

import dev.spikebit.core.tensor.Tensor;

/**
 * The per-output-channel amplitude of a binary layer and the weight it makes,
 * {@code alpha[c] * sign(W)} (docs/methods.md 2): either the trained parameter {@code alpha}, or, for
 * {@link Amplitude#FIXED}, {@code mean(|W[c]|)} recomputed from the latent weights at every use.
 * Conv and linear layers share it, so the two binary layers differ only in their geometry.
 */
final class ChannelAmplitude {
    private final Tensor weight;
    private final int channels;
    private final Tensor trained;

    /** {@code trained} is the registered alpha parameter, or null for a fixed amplitude. */
    ChannelAmplitude(Tensor weight, int channels, Tensor trained) {
        this.weight = weight;
        this.channels = channels;
        this.trained = trained;
    }

    /** The initial value of a trained alpha: {@code mean(|W[c]|)} per output channel. */
    static Tensor initial(Tensor weight, int channels) {
        return Tensor.of(ScaledSign.meanAbs(weight.data(), channels), channels);
    }

    /** The effective weight {@code alpha[c] * sign(W)}, with the straight-through backward of {@link ScaledSign}. */
    Tensor binaryWeight() {
        return trained != null
                ? ScaledSign.apply(weight, trained)
                : ScaledSign.apply(weight, ScaledSign.meanAbs(weight.data(), channels));
    }

    /** The amplitudes the forward uses now; a copy. */
    float[] values() {
        return trained != null ? trained.data().clone() : ScaledSign.meanAbs(weight.data(), channels);
    }
}
