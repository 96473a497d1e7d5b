package dev.spikebit.core.neuron;

import dev.spikebit.core.neuron.kernel.NeuronConfig;

/** Integrate-and-fire: the LIF neuron without leak ({@code tau = 1}), docs/methods.md 1. */
public final class IFNode extends LIFNode {
    public IFNode(NeuronConfig config) {
        super(config.withTau(1f));
    }

    public IFNode() {
        this(NeuronConfig.integrateAndFire());
    }
}
