package dev.spikebit.data;

import java.util.Arrays;

/** A dataset held in memory as one flat float array of samples and an array of labels. */
public record ArrayDataset(String name, float[] samples, int[] labels, int[] sampleShape, int numClasses, int timeSteps)
        implements Dataset {

    public ArrayDataset {
        int per = 1;
        for (int d : sampleShape) {
            per *= d;
        }
        if ((long) per * labels.length != samples.length) {
            throw new IllegalArgumentException(name + ": " + samples.length + " floats do not hold " + labels.length
                    + " samples of shape " + Arrays.toString(sampleShape));
        }
    }

    /** A static-image dataset (no time axis). */
    public ArrayDataset(String name, float[] samples, int[] labels, int[] sampleShape, int numClasses) {
        this(name, samples, labels, sampleShape, numClasses, 0);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        int per = sampleSize();
        System.arraycopy(samples, index * per, dst, offset, per);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    /** The first {@code n} samples, sharing nothing with this dataset. */
    public ArrayDataset head(int n) {
        int count = Math.min(n, size());
        int per = sampleSize();
        return new ArrayDataset(
                name + "[:" + count + "]",
                Arrays.copyOf(samples, count * per),
                Arrays.copyOf(labels, count),
                sampleShape,
                numClasses,
                timeSteps);
    }
}
