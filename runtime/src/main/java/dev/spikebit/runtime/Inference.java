package dev.spikebit.runtime;

import java.util.List;

/**
 * The result of a run: class scores {@code [batch, numClasses]} (row-major) and what each layer
 * did ({@link LayerStats}, for the layers that compute).
 */
public record Inference(float[] logits, int batch, int numClasses, List<LayerStats> layers) {
    /** The predicted class of each image (the first maximum). */
    public int[] predictions() {
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) {
            out[b] = argmax(logits, b * numClasses, numClasses);
        }
        return out;
    }

    public double adds() {
        return layers.stream().mapToDouble(LayerStats::adds).sum();
    }

    public double multiplies() {
        return layers.stream().mapToDouble(LayerStats::multiplies).sum();
    }

    /** Energy per inference in pJ (docs/methods.md 4). */
    public double energyPj() {
        return layers.stream().mapToDouble(LayerStats::energyPj).sum();
    }

    static int argmax(float[] values, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
