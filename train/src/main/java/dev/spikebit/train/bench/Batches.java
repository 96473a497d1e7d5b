package dev.spikebit.train.bench;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.loader.Batch;
import dev.spikebit.data.loader.DataLoader;
import dev.spikebit.data.loader.Epoch;
import dev.spikebit.train.DatasetFit;
import dev.spikebit.train.ModelInput;
import java.nio.file.Path;

/**
 * The batches a benchmark step consumes: one fixed batch again and again, or real shuffled
 * Fashion-MNIST batches through the training data loader (epoch after epoch), whose time then
 * counts as data loading in the profile.
 */
public final class Batches implements AutoCloseable {
    /** One batch: model input and labels. */
    public record Next(Tensor x, int[] labels) {}

    private final Next fixed;
    private final DataLoader loader;
    private Epoch epoch;
    private int epochNumber;

    private Batches(Next fixed, DataLoader loader) {
        this.fixed = fixed;
        this.loader = loader;
    }

    /** The same batch every time. */
    public static Batches fixed(Tensor x, int[] labels) {
        return new Batches(new Next(x, labels), null);
    }

    /** Shuffled Fashion-MNIST training batches of {@code batch} images for {@code spec}, epoch after epoch. */
    public static Batches fashionMnist(ModelSpec spec, int batch, Path dataDir) {
        DatasetChoice data = DatasetChoice.load(DatasetName.FASHION_MNIST, dataDir, 0, 1);
        DatasetFit.requireFits(data, spec);
        DataLoader loader = DataLoader.over(data.train())
                .batchSize(batch)
                .shuffle(true)
                .dropLast(true)
                .seed(1)
                .build();
        return new Batches(null, loader);
    }

    /** The next batch (the loader's time counts as data loading in a profile). */
    public Next next() {
        if (fixed != null) {
            return fixed;
        }
        try (var scope = OpProfiler.time(OpKind.DATA)) {
            if (epoch == null || !epoch.hasNext()) {
                if (epoch != null) {
                    epoch.close();
                }
                epoch = loader.epoch(epochNumber++);
            }
            Batch b = epoch.next();
            return new Next(ModelInput.of(b), b.labels());
        }
    }

    @Override
    public void close() {
        if (epoch != null) {
            epoch.close();
        }
    }
}
