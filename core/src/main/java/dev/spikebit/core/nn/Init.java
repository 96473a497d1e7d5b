package dev.spikebit.core.nn;

import java.util.SplittableRandom;

/**
 * Weight initialisation. The default is PyTorch's for conv and linear layers (Kaiming-uniform with
 * a = sqrt(5), which is uniform in +-1/sqrt(fan_in)), so results are comparable with snnTorch and
 * SpikingJelly runs; the generator is explicit so a seed fixes the whole model.
 */
public final class Init {
    private Init() {}

    public static float[] uniform(SplittableRandom rng, int count, float bound) {
        float[] w = new float[count];
        for (int i = 0; i < count; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return w;
    }

    /** Uniform in +-1/sqrt(fanIn). */
    public static float[] fanIn(SplittableRandom rng, int count, int fanIn) {
        return uniform(rng, count, (float) (1.0 / Math.sqrt(fanIn)));
    }
}
