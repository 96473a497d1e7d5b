package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import java.util.Objects;

/**
 * The constants of a LIF neuron with hard reset (docs/methods.md section 1):
 * {@code H[t] = tau * V[t-1] + X[t]}, {@code S[t] = Theta(H[t] - vth)}, {@code V[t] = H[t] (1 - S[t])}.
 * An IF neuron is the same with {@code tau = 1}.
 *
 * @param tau         the decay of the membrane potential per step, in {@code [0, 1]}
 * @param vth         the firing threshold, finite and {@code > 0}
 * @param detachReset whether backward treats the reset gate {@code 1 - S} as a constant
 * @param surrogate   the derivative backward uses in place of {@code Theta'}
 * @param output      what the neuron emits: the spike or the ReverB real-valued spike
 */
public record NeuronConfig(float tau, float vth, boolean detachReset, Surrogate surrogate, OutputMode output) {

    public NeuronConfig {
        if (!(tau >= 0f && tau <= 1f)) {
            throw new SpikebitException("neuron: tau must be in [0, 1], got " + tau);
        }
        if (!(vth > 0f) || !Float.isFinite(vth)) {
            throw new SpikebitException("neuron: vth must be a finite number > 0, got " + vth);
        }
        Objects.requireNonNull(surrogate, "surrogate");
        Objects.requireNonNull(output, "output");
    }

    /**
     * The defaults of docs/methods.md section 1: {@code tau = 0.5}, {@code vth = 1}, reset detached,
     * {@code atan} surrogate with {@code alpha = 2}, binary spikes.
     */
    public static NeuronConfig lif() {
        return new NeuronConfig(0.5f, 1f, true, Surrogate.defaultSurrogate(), OutputMode.BINARY);
    }

    /** The defaults of {@link #lif()} with the ReverB real-valued spike as output. */
    public static NeuronConfig reverbLif() {
        return lif().withOutput(OutputMode.REAL);
    }

    /** The defaults of {@link #lif()} without leak: an integrate-and-fire neuron. */
    public static NeuronConfig integrateAndFire() {
        return lif().withTau(1f);
    }

    public NeuronConfig withTau(float newTau) {
        return new NeuronConfig(newTau, vth, detachReset, surrogate, output);
    }

    public NeuronConfig withVth(float newVth) {
        return new NeuronConfig(tau, newVth, detachReset, surrogate, output);
    }

    public NeuronConfig withDetachReset(boolean newDetachReset) {
        return new NeuronConfig(tau, vth, newDetachReset, surrogate, output);
    }

    public NeuronConfig withSurrogate(Surrogate newSurrogate) {
        return new NeuronConfig(tau, vth, detachReset, newSurrogate, output);
    }

    public NeuronConfig withOutput(OutputMode newOutput) {
        return new NeuronConfig(tau, vth, detachReset, surrogate, newOutput);
    }
}
