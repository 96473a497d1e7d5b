package dev.spikebit.core.neuron;

import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;

/**
 * The ReverB-SNN neuron (docs/methods.md 1): a LIF whose spike carries its membrane potential,
 * {@code O = H * S}, with the product-rule backward {@code dO/dH = S + H * s'(H - Vth)}.
 */
public final class ReverbLif extends LIFNode {
    public ReverbLif(NeuronConfig config) {
        super(config.withOutput(OutputMode.REAL));
    }

    public ReverbLif() {
        this(NeuronConfig.reverbLif());
    }
}
