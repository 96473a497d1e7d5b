package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.augment.Augmentation;
import dev.spikebit.data.augment.Compose;
import dev.spikebit.data.augment.HorizontalFlip;
import dev.spikebit.data.augment.RandomCrop;
import dev.spikebit.data.mnist.FashionMnist;
import dev.spikebit.data.mnist.FashionMnistData;

import java.nio.file.Path;
import java.util.List;

/** Resolves a dataset name from the command line to its train and test splits. */
public record DatasetChoice(String name, Dataset train, Dataset test) {
    public static final List<String> NAMES = List.of("fashion-mnist");

    public static DatasetChoice load(String name, Path dataDir, int trainLimit, int testLimit) {
        return switch (name) {
            case "fashion-mnist" -> {
                FashionMnistData d = FashionMnist.load(dataDir);
                yield new DatasetChoice(name, limit(d.train(), trainLimit), limit(d.test(), testLimit));
            }
            default -> throw new SpikebitException("unknown dataset \"" + name + "\"; known: " + String.join(", ", NAMES));
        };
    }

    /** Random crop and flip as methods.md 5 uses for training; smaller padding for 28x28 images. */
    public Augmentation augmentation() {
        int[] shape = train.sampleShape();
        int padding = shape[shape.length - 1] <= 28 ? 2 : 4;
        return new Compose(List.of(new RandomCrop(padding), new HorizontalFlip()));
    }

    private static Dataset limit(ArrayDataset d, int n) {
        return n > 0 && n < d.size() ? d.head(n) : d;
    }
}
