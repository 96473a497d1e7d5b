package dev.spikebit.data.augment;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Per-channel standardisation, {@code x' = (x - mean[c]) / std[c]}. The channel axis is the
 * third from last ({@code C} of {@code [C, H, W]} or {@code [T, C, H, W]}). Not random: it
 * ignores the generator, and belongs after the random transforms so that padding stays 0 in the
 * raw pixel scale.
 */
public record Normalize(float[] mean, float[] std) implements Augmentation {

    public Normalize {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalize needs one mean and one std per channel, got " + mean.length
                    + " means and " + std.length + " stds");
        }
        for (float s : std) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("normalize std must be finite and > 0, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public void apply(float[] data, int offset, int[] shape, RandomGenerator rng) {
        if (shape.length < 3 || shape[shape.length - 3] != mean.length) {
            throw new IllegalArgumentException("normalize has " + mean.length + " channels but the sample has shape "
                    + Arrays.toString(shape) + " ([..., C, H, W] expected)");
        }
        int channels = mean.length;
        int plane = shape[shape.length - 2] * shape[shape.length - 1];
        int stacks = 1;
        for (int d = 0; d < shape.length - 3; d++) {
            stacks *= shape[d];
        }
        int i = offset;
        for (int stack = 0; stack < stacks; stack++) {
            for (int c = 0; c < channels; c++) {
                float m = mean[c];
                float sd = std[c];
                for (int end = i + plane; i < end; i++) {
                    data[i] = (data[i] - m) / sd;
                }
            }
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Normalize that && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
