package dev.spikebit.interop.nir;

import dev.spikebit.core.models.SpikingClassifier;

/**
 * Writes a spikebit classifier as a NIR graph, the way NIR's reference lays one out: one node per
 * layer, shapes without the batch axis (the layout is {@link ModelGraph}'s). Batch norms are folded
 * into the conv or linear layer before them ({@code W' = W * s}, {@code b' = b * s + beta - mean * s}
 * with {@code s = gamma / sqrt(var + eps)}), binary weights are written as their values
 * {@code alpha[c] * sign(W)} and sub-bit weights as {@code alpha[c] * codeword}, neurons as LIF (or
 * IF without leak) with {@code tau = dt / (1 - tau')}, {@code r = tau / dt} (see
 * {@link NeuronMapping}). A tdBN residual block's addition is two edges into its output neuron.
 * The time step is recorded in the graph's metadata as {@code dt}.
 *
 * <p>Refused, with the reason: real-valued (ReverB) spikes, which NIR has no primitive for; the
 * input normalisation and max pooling, which it has no node for; membrane-shortcut blocks.
 *
 * <p>NIR has no readout: a consumer gets the last layer's outputs at every step, and spikebit's
 * prediction is the class with the largest mean (or sum) over the T steps.
 */
public final class NirExport {
    /** The step written when none is asked for: snnTorch's exporter and importer use 1e-4 s. */
    public static final double DEFAULT_DT = 1e-4;

    private NirExport() {}

    public static NirGraph export(SpikingClassifier model, double dt) {
        return ModelGraph.of(model, dt).graph();
    }
}
