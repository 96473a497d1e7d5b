package dev.spikebit.core.ops;

import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p). */
public final class DropoutOp {
    private DropoutOp() {}

    /**
     * Drops elements of {@code x}; with {@code repeats > 1} the mask of the first
     * {@code size/repeats} elements is reused for each following block, so a multi-step tensor
     * {@code [T, ...]} keeps one mask over all T steps.
     */
    public static Tensor dropout(Tensor x, float p, SplittableRandom rng, int repeats) {
        if (p <= 0f) {
            return x;
        }
        int block = x.size() / repeats;
        float keep = 1f / (1f - p);
        float[] mask = new float[block];
        for (int i = 0; i < block; i++) {
            mask[i] = rng.nextFloat() >= p ? keep : 0f;
        }
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int r = 0; r < repeats; r++) {
            for (int i = 0, o = r * block; i < block; i++) {
                out[o + i] = in[o + i] * mask[i];
            }
        }
        return Tensor.result(
                out,
                x.shape(),
                g -> {
                    float[] gx = x.grad();
                    for (int r = 0; r < repeats; r++) {
                        for (int i = 0, o = r * block; i < block; i++) {
                            gx[o + i] += g[o + i] * mask[i];
                        }
                    }
                },
                x);
    }
}
