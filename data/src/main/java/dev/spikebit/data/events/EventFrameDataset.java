package dev.spikebit.data.events;

import dev.spikebit.data.Dataset;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Event samples binned into frames on demand: sample {@code i} is
 * {@code binning.bin(source.events(i))}, shape {@code [T, 2, H, W]} (docs/methods.md section 6).
 *
 * <p>With {@code cacheInMemory} each sample's frames are kept after the first time they are
 * built, stored compactly (one byte per count when all counts are below 256, two bytes when below
 * 65,536), so later epochs skip reading and binning. For datasets too large for memory, use
 * {@link CachedFrameDataset}, which keeps the frames in a file instead.
 */
public final class EventFrameDataset implements Dataset {

    private final EventSampleSource source;
    private final FrameBinning binning;
    private final AtomicReferenceArray<Object> memory;

    public EventFrameDataset(EventSampleSource source, FrameBinning binning, boolean cacheInMemory) {
        this.source = source;
        this.binning = binning;
        this.memory = cacheInMemory ? new AtomicReferenceArray<>(source.size()) : null;
    }

    public EventSampleSource source() {
        return source;
    }

    public FrameBinning binning() {
        return binning;
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public int[] sampleShape() {
        return binning.sampleShape();
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public int timeSteps() {
        return binning.timeSteps();
    }

    @Override
    public int label(int index) {
        return source.label(index);
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        if (memory != null) {
            Object kept = memory.get(index);
            if (kept != null) {
                expand(kept, dst, offset);
                return;
            }
        }
        binning.bin(source.events(index), dst, offset);
        if (memory != null) {
            memory.set(index, compact(dst, offset, binning.sampleSize()));
        }
    }

    /** The smallest exact array for these counts: {@code byte[]}, {@code char[]} or {@code float[]}. */
    static Object compact(float[] counts, int offset, int n) {
        float max = 0;
        for (int i = offset; i < offset + n; i++) {
            max = Math.max(max, counts[i]);
        }
        if (max <= 0xFF) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) counts[offset + i];
            }
            return b;
        }
        if (max <= 0xFFFF) {
            char[] c = new char[n];
            for (int i = 0; i < n; i++) {
                c[i] = (char) counts[offset + i];
            }
            return c;
        }
        return java.util.Arrays.copyOfRange(counts, offset, offset + n);
    }

    static void expand(Object kept, float[] dst, int offset) {
        switch (kept) {
            case byte[] b -> {
                for (int i = 0; i < b.length; i++) {
                    dst[offset + i] = b[i] & 0xFF;
                }
            }
            case char[] c -> {
                for (int i = 0; i < c.length; i++) {
                    dst[offset + i] = c[i];
                }
            }
            case float[] f -> System.arraycopy(f, 0, dst, offset, f.length);
            default -> throw new IllegalStateException("unexpected cached frames " + kept.getClass());
        }
    }
}
