package dev.spikebit.core.models;

import dev.spikebit.core.Named;

/** How a model's weights are stored and trained (docs/methods.md 2 and 3), by the names options and files use. */
public enum WeightKind implements Named {
    /** Full-precision floats. */
    FP("fp"),
    /** Signs times a trained per-channel amplitude. */
    BINARY("binary"),
    /** Signs times a fixed per-channel amplitude (the mean absolute latent weight). */
    BINARY_FIXED_ALPHA("binary-fixed-alpha"),
    /** Sub-bit: 3x3 kernels as indices into a codebook of sign patterns. */
    SUB_BIT("sub-bit");

    private final String id;

    WeightKind(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** The id, so messages and logs show the name options and files use. */
    @Override
    public String toString() {
        return id;
    }

    /** Whether the weights are signs times an amplitude (trained or fixed). */
    public boolean isBinary() {
        return this == BINARY || this == BINARY_FIXED_ALPHA;
    }

    /** The kind called {@code id}; an unknown name is refused naming {@code field} and the known ones. */
    public static WeightKind of(String id, String field) {
        return Named.of(values(), id, field);
    }
}
