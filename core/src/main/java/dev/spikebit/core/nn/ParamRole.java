package dev.spikebit.core.nn;

/**
 * What a parameter is for; optimizers use it to form parameter groups (docs/methods.md 5: weight
 * decay applies to weights only, not to biases, batch-norm affine parameters or amplitudes).
 */
public enum ParamRole {
    WEIGHT,
    BIAS,
    NORM,
    AMPLITUDE;

    public boolean decays() {
        return this == WEIGHT;
    }
}
