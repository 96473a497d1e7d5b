package dev.spikebit.data;

import dev.spikebit.data.augment.Augmentation;
import dev.spikebit.data.augment.Compose;
import dev.spikebit.data.augment.HorizontalFlip;
import dev.spikebit.data.augment.RandomCrop;
import dev.spikebit.data.cifar.Cifar10;
import dev.spikebit.data.cifar.Cifar100;
import dev.spikebit.data.cifar.CifarAugmentation;
import dev.spikebit.data.cifar.CifarData;
import dev.spikebit.data.cifar.CifarImages;
import dev.spikebit.data.emulator.EmulatorConfig;
import dev.spikebit.data.emulator.NFashionMnist;
import dev.spikebit.data.events.BinningMode;
import dev.spikebit.data.events.CachedFrameDataset;
import dev.spikebit.data.events.EventDatasets;
import dev.spikebit.data.events.EventFrameDataset;
import dev.spikebit.data.events.EventSampleSource;
import dev.spikebit.data.events.EventStream;
import dev.spikebit.data.events.FrameBinning;
import dev.spikebit.data.mnist.FashionMnist;
import dev.spikebit.data.mnist.FashionMnistData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset of the registry ({@link DatasetName}) loaded: its train and test splits (docs/data.md).
 *
 * <p>Static images ({@code fashion-mnist}, {@code cifar10}, {@code cifar100}) come as
 * {@code [C, H, W]} samples in [0, 1]; the model normalises them in its stem. Event data
 * ({@code nmnist}, {@code dvs-gesture}, {@code cifar10-dvs}, {@code ncaltech101}, and
 * {@code nfashion-mnist}, Fashion-MNIST run through the DVS emulator) comes as
 * {@code [T, 2, S, S]} frames of event counts, T being the model's number of time steps, binned
 * as {@link Frames} says.
 *
 * @param dataset which dataset
 * @param train   the training split (possibly a subset, see {@link #load})
 * @param test    the test split
 */
public record DatasetChoice(DatasetName dataset, Dataset train, Dataset test) {
    /** The dataset's command-line name, e.g. {@code fashion-mnist}. */
    public String name() {
        return dataset.id();
    }

    /**
     * How event streams become frames (docs/methods.md 6).
     *
     * @param timeSteps T, one frame per time step of the model
     * @param mode      equal event count or equal duration per frame
     * @param size      frame height and width, or 0 for the dataset's default ({@link DatasetName#defaultFrameSize})
     * @param cacheDir  where binned frames are kept between runs; null for the default: recordings in
     *                  {@code ~/.cache/spikebit/frames}, emulated {@code nfashion-mnist} in memory only
     */
    public record Frames(int timeSteps, BinningMode mode, int size, Path cacheDir) {
        public Frames {
            if (timeSteps < 1 || size < 0) {
                throw new DataException(
                        "event frames need T >= 1 and a frame size >= 1, got T = " + timeSteps + ", size " + size);
            }
        }

        /** T frames of equal event count at the dataset's default size, cached in the default places. */
        public static Frames of(int timeSteps) {
            return new Frames(timeSteps, BinningMode.EVENT_COUNT, 0, null);
        }
    }

    /** Loads a dataset; event data is binned into 4 frames of equal event count. */
    public static DatasetChoice load(DatasetName name, Path dataDir, int trainLimit, int testLimit) {
        return load(name, dataDir, trainLimit, testLimit, Frames.of(4));
    }

    /**
     * Loads the named dataset. A positive limit keeps a subset: the first N images of a static
     * dataset or of Fashion-MNIST before emulation (their files are in no particular class order), and
     * N evenly spaced samples of a recorded event dataset (whose files are grouped by class).
     */
    public static DatasetChoice load(DatasetName name, Path dataDir, int trainLimit, int testLimit, Frames frames) {
        if (trainLimit < 0 || testLimit < 0) {
            throw new DataException(
                    "--train-limit and --test-limit must be >= 0 (0 = all), got " + trainLimit + " and " + testLimit);
        }
        DatasetChoice choice = loadSplits(name, dataDir, trainLimit, testLimit, frames);
        for (Dataset split : List.of(choice.train(), choice.test())) {
            if (split.size() == 0) {
                throw new DataException(split.name() + ": the split holds no samples");
            }
        }
        return choice;
    }

    private static DatasetChoice loadSplits(
            DatasetName name, Path dataDir, int trainLimit, int testLimit, Frames frames) {
        return switch (name) {
            case FASHION_MNIST -> {
                FashionMnistData d = FashionMnist.load(dataDir);
                yield new DatasetChoice(name, head(d.train(), trainLimit), head(d.test(), testLimit));
            }
            case CIFAR10, CIFAR100 -> {
                CifarData d = name == DatasetName.CIFAR10
                        ? Cifar10.load(dataDir)
                        : Cifar100.load(dataDir, Cifar100.Labels.FINE);
                yield new DatasetChoice(name, head(d.train(), trainLimit), head(d.test(), testLimit));
            }
            case NFASHION_MNIST -> {
                FashionMnistData d = FashionMnist.load(dataDir);
                yield new DatasetChoice(
                        name,
                        emulated(head(d.train(), trainLimit), frames),
                        emulated(head(d.test(), testLimit), frames));
            }
            case NMNIST, DVS_GESTURE, CIFAR10_DVS, NCALTECH101 ->
                new DatasetChoice(
                        name,
                        recorded(name, true, dataDir, trainLimit, frames),
                        recorded(name, false, dataDir, testLimit, frames));
        };
    }

    /** Whether samples are event frames {@code [T, C, H, W]} rather than static images. */
    public boolean isEvents() {
        return train.timeSteps() > 0;
    }

    /**
     * The training augmentation of docs/methods.md 5, by dataset: random crop (padding 2 for 28x28 and
     * 34x34, 4 otherwise, CIFAR's {@link CifarAugmentation#CROP_PADDING}) and a horizontal flip,
     * except for digits and gestures, which a mirror turns into other classes (N-MNIST, DVS
     * Gesture's left- and right-hand gestures): crop only. Spatial transforms move every frame
     * of an event sample alike. CIFAR's normalisation is not part of it: the model normalises.
     */
    public Augmentation augmentation() {
        int[] shape = train.sampleShape();
        int size = shape[shape.length - 1];
        int padding = size <= 34 ? 2 : CifarAugmentation.CROP_PADDING;
        RandomCrop crop = new RandomCrop(padding);
        return dataset.mirrorKeepsClass() ? new Compose(List.of(crop, new HorizontalFlip())) : crop;
    }

    // ------------------------------------------------------------------ sources

    private static Dataset head(ArrayDataset d, int n) {
        return n > 0 && n < d.size() ? d.head(n) : d;
    }

    private static Dataset head(CifarImages d, int n) {
        return n > 0 && n < d.size() ? d.head(n) : d;
    }

    /** Fashion-MNIST through the N-MNIST-like emulator, binned into the requested frames. */
    private static Dataset emulated(Dataset fashion, Frames frames) {
        EventSampleSource source = emulatedSource(fashion);
        FrameBinning binning = binning(DatasetName.NFASHION_MNIST, frames);
        return frames.cacheDir() == null
                ? new EventFrameDataset(source, binning, true)
                : CachedFrameDataset.open(source, binning, frames.cacheDir());
    }

    /**
     * A split of event data that {@link #load} reads through a frame cache file
     * ({@link CachedFrameDataset}): the samples, their binning and the cache folder. A caller may
     * build the file beforehand, in parallel, with {@link CachedFrameDataset#binBlock} and
     * {@link CachedFrameDataset#assemble}; {@code load} then finds it.
     */
    public record CachedSplit(EventSampleSource source, FrameBinning binning, Path cacheDir) {
        /** Whether the cache file is there and valid. */
        public boolean isCached() {
            return CachedFrameDataset.isCached(source, binning, cacheDir);
        }
    }

    /**
     * The splits {@link #load} with the same arguments reads through frame caches, of the train
     * split, the test split or both; none for static images or for emulated event data kept in memory.
     */
    public static List<CachedSplit> cachedSplits(
            DatasetName name, Path dataDir, int trainLimit, int testLimit, Frames frames, boolean train, boolean test) {
        List<CachedSplit> splits = new ArrayList<>();
        switch (name) {
            case FASHION_MNIST, CIFAR10, CIFAR100 -> {
                // static images: no frames
            }
            case NFASHION_MNIST -> {
                if (frames.cacheDir() != null) {
                    FashionMnistData d = FashionMnist.load(dataDir);
                    FrameBinning binning = binning(name, frames);
                    if (train) {
                        splits.add(new CachedSplit(
                                emulatedSource(head(d.train(), trainLimit)), binning, frames.cacheDir()));
                    }
                    if (test) {
                        splits.add(
                                new CachedSplit(emulatedSource(head(d.test(), testLimit)), binning, frames.cacheDir()));
                    }
                }
            }
            case NMNIST, DVS_GESTURE, CIFAR10_DVS, NCALTECH101 -> {
                if (train) {
                    splits.add(recordedSplit(name, true, dataDir, trainLimit, frames));
                }
                if (test) {
                    splits.add(recordedSplit(name, false, dataDir, testLimit, frames));
                }
            }
        }
        return splits;
    }

    private static EventSampleSource emulatedSource(Dataset fashion) {
        return NFashionMnist.source(fashion, EmulatorConfig.nmnistLike(1));
    }

    private static CachedSplit recordedSplit(DatasetName name, boolean train, Path dataDir, int limit, Frames frames) {
        EventSampleSource source = EventDatasets.source(name.id(), train, dataDir);
        if (limit > 0 && limit < source.size()) {
            source = new EvenlySpaced(source, limit);
        }
        Path cache = frames.cacheDir() != null ? frames.cacheDir() : EventDatasets.defaultCacheDir();
        return new CachedSplit(source, binning(name, frames), cache);
    }

    /** A recorded split, binned once into the frame cache. */
    private static Dataset recorded(DatasetName name, boolean train, Path dataDir, int limit, Frames frames) {
        CachedSplit split = recordedSplit(name, train, dataDir, limit, frames);
        return CachedFrameDataset.open(split.source(), split.binning(), split.cacheDir());
    }

    private static FrameBinning binning(DatasetName name, Frames frames) {
        int size = frames.size() > 0 ? frames.size() : name.defaultFrameSize();
        return new FrameBinning(frames.timeSteps(), frames.mode(), size, size);
    }

    /**
     * Samples {@code floor(i * size / count)} for {@code i < count} of a source: spread over the whole
     * split, so a subset of a dataset stored class by class still holds every class. Indices only
     * grow, so a source that reads recordings in order still reads each file once.
     */
    record EvenlySpaced(EventSampleSource source, int count) implements EventSampleSource {
        private int index(int i) {
            return (int) ((long) i * source.size() / count);
        }

        @Override
        public String name() {
            return source.name() + "-" + count + "of" + source.size();
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public int numClasses() {
            return source.numClasses();
        }

        @Override
        public int label(int i) {
            return source.label(index(i));
        }

        @Override
        public int sensorWidth() {
            return source.sensorWidth();
        }

        @Override
        public int sensorHeight() {
            return source.sensorHeight();
        }

        @Override
        public EventStream events(int i) {
            return source.events(index(i));
        }

        @Override
        public String fingerprint() {
            return source.fingerprint() + "|evenly spaced " + count + " of " + source.size();
        }
    }
}
