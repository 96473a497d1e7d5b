package dev.spikebit.runtime;

/**
 * What one layer did in an actual run, per inference (one image, all T steps, averaged over the
 * batch), counted as in docs/methods.md 4: an operation is one input value meeting one weight; input
 * from the image is dense (every value counts), input from neurons counts only its non-zero
 * values, each with its fan-out. A multiply (MAC) is a real value meeting a real weight; an add
 * (AC) a binary spike meeting any weight, or any value meeting a +-1 weight.
 *
 * @param name          the node's name
 * @param kind          the node's kind
 * @param inputDensity  share of non-zero values in the layer's input (NaN for layers that were not measured)
 * @param firingRate    for a neuron layer, the share of its outputs that were spikes; NaN otherwise
 * @param adds          additions (ACs) per inference
 * @param multiplies    multiply-accumulates (MACs) per inference
 * @param denseRuns     times the dense kernel ran (per batch, all steps)
 * @param eventRuns     times the event-driven kernel ran
 */
public record LayerStats(
        String name,
        String kind,
        double inputDensity,
        double firingRate,
        double adds,
        double multiplies,
        long denseRuns,
        long eventRuns) {
    /** {@link Energy#picojoules}, per inference. */
    public double energyPj() {
        return Energy.picojoules(multiplies, adds);
    }

    /** The path used: "dense", "events", "mixed", or "" for layers without a choice. */
    public String path() {
        if (denseRuns > 0 && eventRuns > 0) {
            return "mixed";
        }
        return denseRuns > 0 ? "dense" : eventRuns > 0 ? "events" : "";
    }
}
