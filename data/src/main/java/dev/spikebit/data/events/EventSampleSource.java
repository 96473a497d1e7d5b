package dev.spikebit.data.events;

/**
 * A labelled collection of event streams, one per sample: the recordings of a neuromorphic
 * dataset, or images run through the DVS emulator. {@link EventFrameDataset} and
 * {@link CachedFrameDataset} turn a source into a {@link dev.spikebit.data.Dataset} of binned frames.
 *
 * <p>{@link #events} may be called from several threads at once.
 */
public interface EventSampleSource {
    /** A short name for messages and cache files, such as {@code nmnist/train}. */
    String name();

    int size();

    int numClasses();

    /** The 0-based class of sample {@code index}. */
    int label(int index);

    /** Width of the sensor the events come from. */
    int sensorWidth();

    /** Height of the sensor the events come from. */
    int sensorHeight();

    /** The events of sample {@code index}, read or computed now. */
    EventStream events(int index);

    /**
     * A string that changes whenever the samples would: file names, sizes and modification times,
     * or generator parameters. Part of the key of on-disk frame caches.
     */
    String fingerprint();
}
