package dev.spikebit.bench;

import java.util.SplittableRandom;

/**
 * The benchmarks' random inputs, drawn from a seeded generator so that every run measures the same
 * arrays. Each method draws its values in index order, so a benchmark that calls them in a fixed
 * order gets the same inputs in every JVM.
 */
final class RandomInputs {
    private RandomInputs() {}

    /** Binary spikes: each value 1 with probability {@code density}, else 0. */
    static float[] binarySpikes(SplittableRandom rng, int n, double density) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() < density ? 1f : 0f;
        }
        return x;
    }

    /**
     * Each value uniform in (0, 1] with probability {@code density}, else 0: real-valued spikes, or
     * at density 1 positive weights.
     */
    static float[] sparseUniform(SplittableRandom rng, int n, double density) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() < density ? (float) (1 - rng.nextDouble()) : 0f;
        }
        return x;
    }

    /** Normal values of standard deviation {@code scale}: weights, output gradients. */
    static float[] gaussian(SplittableRandom rng, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian() * scale;
        }
        return x;
    }
}
