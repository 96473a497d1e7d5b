package dev.spikebit.spark;

import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.LayerStats;
import java.io.Serializable;
import java.util.List;

/**
 * What an executor sends back for one batch: the runtime's {@link Inference} in a serializable form
 * (the runtime's records stay JDK-only and know nothing of serialization).
 */
record BatchResult(int index, float[] logits, int batch, int numClasses, List<Stats> layers) implements Serializable {
    /** {@link LayerStats}, serializable. */
    record Stats(
            String name,
            String kind,
            double inputDensity,
            double firingRate,
            double adds,
            double multiplies,
            long denseRuns,
            long eventRuns)
            implements Serializable {}

    static BatchResult of(int index, Inference run) {
        List<Stats> stats = run.layers().stream()
                .map(s -> new Stats(
                        s.name(),
                        s.kind(),
                        s.inputDensity(),
                        s.firingRate(),
                        s.adds(),
                        s.multiplies(),
                        s.denseRuns(),
                        s.eventRuns()))
                .toList();
        return new BatchResult(index, run.logits(), run.batch(), run.numClasses(), List.copyOf(stats));
    }

    Inference toInference() {
        List<LayerStats> stats = layers.stream()
                .map(s -> new LayerStats(
                        s.name(),
                        s.kind(),
                        s.inputDensity(),
                        s.firingRate(),
                        s.adds(),
                        s.multiplies(),
                        s.denseRuns(),
                        s.eventRuns()))
                .toList();
        return new Inference(logits, batch, numClasses, stats);
    }
}
