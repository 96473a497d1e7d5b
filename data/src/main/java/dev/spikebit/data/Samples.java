package dev.spikebit.data;

/** Pulls plain sample arrays out of a dataset, for the commands that measure a model on a few images. */
public final class Samples {
    private Samples() {}

    /** The first {@code count} samples (or all, if fewer) back to back in one array. */
    public static float[] first(Dataset data, int count) {
        return range(data, 0, Math.min(count, data.size()));
    }

    /** Samples {@code [from, to)} back to back in one array. */
    public static float[] range(Dataset data, int from, int to) {
        int per = data.sampleSize();
        float[] out = new float[(to - from) * per];
        for (int i = from; i < to; i++) {
            data.copySample(i, out, (i - from) * per);
        }
        return out;
    }
}
