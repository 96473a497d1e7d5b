package dev.spikebit.data;

/**
 * A labelled, indexable dataset of fixed-shape float samples.
 *
 * <p>Static images have {@link #sampleShape()} {@code [C, H, W]} and {@link #timeSteps()} 0: the
 * network sees the same (directly encoded) image at every time step. Event data binned into frames
 * has sample shape {@code [T, C, H, W]} and {@code timeSteps() == T}.
 */
public interface Dataset {
    /** A short name for messages and metrics, such as {@code fashion-mnist/train}. */
    String name();

    int size();

    /** Shape of one sample, without the batch dimension. */
    int[] sampleShape();

    int numClasses();

    /** Copies sample {@code index} into {@code dst} starting at {@code offset}. */
    void copySample(int index, float[] dst, int offset);

    int label(int index);

    /** 0 for static samples; T when each sample already carries T time steps as its first axis. */
    default int timeSteps() {
        return 0;
    }

    /** Number of floats in one sample. */
    default int sampleSize() {
        int n = 1;
        for (int d : sampleShape()) {
            n *= d;
        }
        return n;
    }
}
