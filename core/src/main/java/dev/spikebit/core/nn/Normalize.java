package dev.spikebit.core.nn;

import dev.spikebit.core.tensor.Tensor;

/**
 * Fixed per-channel input normalisation {@code (x - mean[c]) / std[c]} on {@code [N, C, H, W]} or
 * {@code [T, B, C, H, W]}. It is part of the model, so a deployed model takes raw pixels in [0, 1].
 */
public final class Normalize extends Module {
    private final float[] mean;
    private final float[] std;

    public Normalize(float[] mean, float[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("normalize: " + mean.length + " means but " + std.length + " stds");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        int rank = x.rank();
        int channels = x.dim(rank - 3);
        if (channels != mean.length) {
            throw new IllegalArgumentException(
                    "normalize: input has " + channels + " channels, expected " + mean.length);
        }
        int plane = x.dim(rank - 2) * x.dim(rank - 1);
        float[] in = x.data();
        float[] out = new float[in.length];
        float[] inv = new float[channels];
        for (int c = 0; c < channels; c++) {
            inv[c] = 1f / std[c];
        }
        for (int i = 0; i < in.length; i++) {
            int c = (i / plane) % channels;
            out[i] = (in[i] - mean[c]) * inv[c];
        }
        return Tensor.result(
                out,
                x.shape(),
                g -> {
                    float[] gx = x.grad();
                    for (int i = 0; i < g.length; i++) {
                        gx[i] += g[i] * inv[(i / plane) % channels];
                    }
                },
                x);
    }

    @Override
    public String describe() {
        return "Normalize(mean=" + java.util.Arrays.toString(mean) + ", std=" + java.util.Arrays.toString(std) + ")";
    }
}
