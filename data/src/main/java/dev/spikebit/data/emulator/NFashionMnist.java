package dev.spikebit.data.emulator;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.events.BinningMode;
import dev.spikebit.data.events.CachedFrameDataset;
import dev.spikebit.data.events.EventFrameDataset;
import dev.spikebit.data.events.FrameBinning;
import java.nio.file.Path;

/**
 * {@code nfashion-mnist}: Fashion-MNIST recorded the way N-MNIST was, by the {@link DvsEmulator},
 * and binned into {@code [T, 2, 34, 34]} frames (docs/methods.md section 6). Built on the fly from the
 * Fashion-MNIST images, so it needs no download beyond Fashion-MNIST itself.
 */
public final class NFashionMnist {

    /** Frames are the full sensor: 28 + 2 x 3 = 34 pixels. */
    public static final int SIZE = 34;

    private NFashionMnist() {}

    /** The event source for a Fashion-MNIST split ({@code [1, 28, 28]} images). */
    public static EmulatedEventSource source(Dataset fashionImages, EmulatorConfig config) {
        return new EmulatedEventSource(name(fashionImages), fashionImages, config);
    }

    /**
     * Frames built when first asked for and then kept in memory (one byte per count: about
     * {@code T * 2.3 KB} per image), with the N-MNIST-like emulator and equal-count frames.
     */
    public static EventFrameDataset inMemory(Dataset fashionImages, int timeSteps, long seed) {
        EmulatedEventSource source = source(fashionImages, EmulatorConfig.nmnistLike(seed));
        return new EventFrameDataset(source, binning(source, timeSteps), true);
    }

    /** Frames built once into a cache file in {@code cacheDir}, then read from it. */
    public static CachedFrameDataset cached(Dataset fashionImages, int timeSteps, long seed, Path cacheDir) {
        EmulatedEventSource source = source(fashionImages, EmulatorConfig.nmnistLike(seed));
        return CachedFrameDataset.open(source, binning(source, timeSteps), cacheDir);
    }

    private static FrameBinning binning(EmulatedEventSource source, int timeSteps) {
        return new FrameBinning(timeSteps, BinningMode.EVENT_COUNT, source.sensorHeight(), source.sensorWidth());
    }

    /** {@code fashion-mnist/train} becomes {@code nfashion-mnist/train}. */
    static String name(Dataset images) {
        String base = images.name();
        int slash = base.indexOf('/');
        return "nfashion-mnist" + (slash >= 0 ? base.substring(slash) : "/" + base);
    }
}
