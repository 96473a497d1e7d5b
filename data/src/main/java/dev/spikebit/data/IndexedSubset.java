package dev.spikebit.data;

/**
 * Some samples of a dataset, in the order of {@code indices}, without copying them.
 *
 * @param name    the subset's name in messages and metrics
 * @param source  the dataset the samples come from
 * @param indices the source's sample index of each of the subset's samples
 */
public record IndexedSubset(String name, Dataset source, int[] indices) implements Dataset {
    public IndexedSubset {
        indices = indices.clone();
        for (int i : indices) {
            if (i < 0 || i >= source.size()) {
                throw new DataException(name + ": sample index " + i + " is outside " + source.name() + " ("
                        + source.size() + " samples)");
            }
        }
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] sampleShape() {
        return source.sampleShape();
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        source.copySample(indices[index], dst, offset);
    }

    @Override
    public int label(int index) {
        return source.label(indices[index]);
    }

    @Override
    public int timeSteps() {
        return source.timeSteps();
    }

    /** The source's index of sample {@code index}. */
    public int sourceIndex(int index) {
        return indices[index];
    }
}
