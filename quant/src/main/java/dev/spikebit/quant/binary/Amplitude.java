package dev.spikebit.quant.binary;

import dev.spikebit.core.models.WeightKind;

/**
 * Where the per-channel amplitude {@code alpha} of a binary layer comes from (docs/methods.md 2).
 */
public enum Amplitude {
    /**
     * ReverB-SNN: {@code alpha} is a parameter (role {@code AMPLITUDE}, no weight decay),
     * initialised to {@code mean(|W[c]|)} and trained through {@link ScaledSign}.
     */
    TRAINED,
    /**
     * Fixed scaling, the ablation {@code binary-fixed-alpha}: {@code alpha[c] = mean(|W[c]|)}
     * recomputed from the current latent weights at every forward and treated as a constant in
     * backward. This is the analytic scaling factor of XNOR-Net (Rastegari et al. 2016), the form
     * the binary-SNN literature calls a fixed (non-learned) scaling factor; the latent weights
     * still learn through the straight-through estimator, so the amplitude follows them.
     */
    FIXED;

    /** The weights of a model spec that select this amplitude. */
    public WeightKind weightKind() {
        return this == TRAINED ? WeightKind.BINARY : WeightKind.BINARY_FIXED_ALPHA;
    }
}
