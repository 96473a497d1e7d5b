package dev.spikebit.data.loader;

import dev.spikebit.data.Dataset;

/**
 * A dataset whose sample {@code i} is filled with the value {@code i} (shape {@code [1, 2, 2]})
 * and labelled {@code i mod 10}, so any batch tells which indices it holds.
 */
class IndexDataset implements Dataset {
    private final int size;

    IndexDataset(int size) {
        this.size = size;
    }

    @Override
    public String name() {
        return "index-" + size;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {1, 2, 2};
    }

    @Override
    public int numClasses() {
        return 10;
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        for (int k = 0; k < 4; k++) {
            dst[offset + k] = index;
        }
    }

    @Override
    public int label(int index) {
        return index % 10;
    }

    /** The dataset index of each sample in a batch, read back from its (unaugmented) values. */
    static int[] indices(Batch batch) {
        int[] indices = new int[batch.size()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (int) batch.x()[i * 4];
        }
        return indices;
    }
}
