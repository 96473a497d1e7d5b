package dev.spikebit.core.neuron.kernel;

/** What a spiking neuron emits at each step (docs/methods.md section 1). */
public enum OutputMode {
    /** The spike itself, {@code O[t] = S[t]} in {0, 1}: the vanilla SNN neuron. */
    BINARY,
    /**
     * The ReverB real-valued spike {@code O[t] = H[t] * S[t]}: the pre-spike potential where the
     * neuron fires, 0 elsewhere.
     */
    REAL
}
