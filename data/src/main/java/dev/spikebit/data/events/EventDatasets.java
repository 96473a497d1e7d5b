package dev.spikebit.data.events;

import dev.spikebit.data.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The recorded event datasets by name, for the command line: {@code nmnist}, {@code ncaltech101},
 * {@code dvs-gesture} and {@code cifar10-dvs}, binned into frames and cached on disk.
 * ({@code nfashion-mnist} is built from images, see {@code emulator.NFashionMnist}.)
 */
public final class EventDatasets {

    public static final List<String> NAMES = List.of("nmnist", "ncaltech101", "dvs-gesture", "cifar10-dvs");

    private EventDatasets() {}

    /** The samples of one split of a named dataset, found as {@link EventDataRoot} describes. */
    public static EventSampleSource source(String name, boolean train, Path dataDirOrNull) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "nmnist", "n-mnist" -> train ? NMnist.train(dataDirOrNull) : NMnist.test(dataDirOrNull);
            case "ncaltech101", "n-caltech101" ->
                train ? NCaltech101.train(dataDirOrNull) : NCaltech101.test(dataDirOrNull);
            case "dvs-gesture", "dvsgesture", "dvs128-gesture" ->
                train ? DvsGesture.train(dataDirOrNull) : DvsGesture.test(dataDirOrNull);
            case "cifar10-dvs", "cifar10dvs" ->
                train ? Cifar10Dvs.train(dataDirOrNull) : Cifar10Dvs.test(dataDirOrNull);
            default -> throw new IllegalArgumentException("unknown event dataset '" + name + "'; known: " + NAMES);
        };
    }

    /**
     * The named split as frames, binned once into {@code cacheDirOrNull} (default
     * {@link #defaultCacheDir()}) and read from there afterwards.
     */
    public static Dataset frames(
            String name, boolean train, Path dataDirOrNull, FrameBinning binning, Path cacheDirOrNull) {
        return CachedFrameDataset.open(
                source(name, train, dataDirOrNull),
                binning,
                cacheDirOrNull != null ? cacheDirOrNull : defaultCacheDir());
    }

    /** {@code ~/.cache/spikebit/frames}. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "spikebit", "frames");
    }
}
