package dev.spikebit.spark;

import dev.spikebit.data.Dataset;

/** Samples {@code [from, to)} of a dataset, as a dataset of their own. */
record DatasetRange(Dataset base, int from, int to) implements Dataset {
    DatasetRange {
        if (from < 0 || to < from || to > base.size()) {
            throw new IllegalArgumentException(
                    "samples " + from + ".." + to + " are outside " + base.name() + " (" + base.size() + " samples)");
        }
    }

    @Override
    public String name() {
        return base.name() + "[" + from + ".." + to + ")";
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public int[] sampleShape() {
        return base.sampleShape();
    }

    @Override
    public int numClasses() {
        return base.numClasses();
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        base.copySample(from + index, dst, offset);
    }

    @Override
    public int label(int index) {
        return base.label(from + index);
    }

    @Override
    public int timeSteps() {
        return base.timeSteps();
    }
}
