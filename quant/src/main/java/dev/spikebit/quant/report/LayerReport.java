package dev.spikebit.quant.report;

import dev.spikebit.runtime.Energy;

/**
 * The accounting of one node of a deployed network, per inference (one image, all T steps),
 * docs/methods.md 4.
 *
 * @param name          the node's name (the training layer it came from)
 * @param kind          the node's kind, as in the deployed file
 * @param outputShape   its output per sample and step
 * @param weights       number of weights (0 for nodes without)
 * @param bitsPerWeight 1 for +-1 weights, eta/9 for sub-bit weights (their index bits; the codebook
 *                      counts in {@code bytes}), 32 for full precision, 0 without weights
 * @param bytes         bytes of the node's parameters in the deployed file
 * @param firingRate    share of non-zero outputs, for neuron nodes; NaN otherwise
 * @param macs          multiply-accumulates per inference
 * @param acs           accumulates (additions) per inference
 * @param oncePerImage  whether the node runs once per image (before the repeat node: with direct
 *                      encoding, the analog first layers), not at each of the T steps
 * @param scaleMultiplies for a ReverB neuron with a spike scale, the multiplies by its scale (one
 *                      per emitted spike) per inference; 0 otherwise. Not included in {@code macs}
 */
public record LayerReport(
        String name,
        String kind,
        int[] outputShape,
        long weights,
        double bitsPerWeight,
        long bytes,
        double firingRate,
        double macs,
        double acs,
        boolean oncePerImage,
        double scaleMultiplies) {
    /** {@link Energy#picojoules} ({@code E = 4.6 pJ * MAC + 0.9 pJ * AC}), per inference. */
    public double energyPj() {
        return Energy.picojoules(macs, acs);
    }

    public boolean isNeuron() {
        return !Double.isNaN(firingRate);
    }
}
