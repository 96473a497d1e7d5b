package dev.spikebit.data.events;

import java.util.concurrent.atomic.AtomicInteger;

/** A source of random streams that counts how often events are read. */
final class CountingSource implements EventSampleSource {
    final AtomicInteger reads = new AtomicInteger();
    private final int size;
    private final int eventsPerSample;
    private final long seed;

    CountingSource(int size, int eventsPerSample, long seed) {
        this.size = size;
        this.eventsPerSample = eventsPerSample;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "counting/test";
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int numClasses() {
        return 3;
    }

    @Override
    public int label(int index) {
        return index % 3;
    }

    @Override
    public int sensorWidth() {
        return 32;
    }

    @Override
    public int sensorHeight() {
        return 24;
    }

    @Override
    public EventStream events(int index) {
        reads.incrementAndGet();
        return FrameBinningTest.randomStream(eventsPerSample, 32, 24, seed * 1000 + index);
    }

    @Override
    public String fingerprint() {
        return "seed=" + seed + ",n=" + eventsPerSample;
    }
}
