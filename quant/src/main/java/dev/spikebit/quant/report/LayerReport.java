package dev.spikebit.quant.report;

/**
 * The accounting of one node of a deployed network, per inference (one image, all T steps),
 * methods.md 4.
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
        double acs) {
    /** Energy of one MAC in picojoules (45 nm, as in the SNN literature; methods.md 4). */
    public static final double MAC_PJ = 4.6;
    /** Energy of one AC in picojoules. */
    public static final double AC_PJ = 0.9;

    /** {@code E = 4.6 pJ * MAC + 0.9 pJ * AC}, per inference. */
    public double energyPj() {
        return MAC_PJ * macs + AC_PJ * acs;
    }

    public boolean isNeuron() {
        return !Double.isNaN(firingRate);
    }
}
