package dev.spikebit.data.cifar;

import java.util.Arrays;

/**
 * Per-channel mean and standard deviation of a dataset's training images, in the [0, 1] pixel
 * scale, for the standardisation {@code (x - mean[c]) / std[c]} (e.g. the augment package's
 * {@code Normalize}). The arrays are copied in and out, so the constants cannot be changed.
 */
public record ChannelStats(float[] mean, float[] std) {

    public ChannelStats {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " stds");
        }
        mean = mean.clone();
        std = std.clone();
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
    public boolean equals(Object o) {
        return o instanceof ChannelStats s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "ChannelStats[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
