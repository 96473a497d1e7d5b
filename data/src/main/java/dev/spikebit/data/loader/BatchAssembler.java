package dev.spikebit.data.loader;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.augment.Augmentation;
import java.util.SplittableRandom;

/**
 * Builds the batches of one epoch: batch {@code b} holds the samples {@code order[b*B ..]},
 * copied from the dataset and augmented, each with its own generator seeded from
 * (seed, epoch, dataset index). Shared by the prefetch thread and the synchronous path, which
 * therefore give identical batches.
 */
final class BatchAssembler {
    private final Dataset dataset;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int batchSize;
    private final Augmentation augmentation;
    private final long seed;
    private final int epoch;
    private final int[] order;

    BatchAssembler(Dataset dataset, int batchSize, Augmentation augmentationOrNull, long seed, int epoch, int[] order) {
        this.dataset = dataset;
        this.sampleShape = dataset.sampleShape();
        this.sampleSize = dataset.sampleSize();
        this.batchSize = batchSize;
        this.augmentation = augmentationOrNull;
        this.seed = seed;
        this.epoch = epoch;
        this.order = order;
    }

    /** Floats in a full batch: the size of a reusable buffer. */
    int fullBatchLength() {
        return batchSize * sampleSize;
    }

    /** Batch {@code b}, written into {@code reusable} when that is non-null and exactly the right size. */
    Batch assemble(int b, float[] reusable) {
        int from = b * batchSize;
        int count = Math.min(batchSize, order.length - from);
        int length = count * sampleSize;
        float[] x = reusable != null && reusable.length == length ? reusable : new float[length];
        int[] labels = new int[count];
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = count;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        for (int i = 0; i < count; i++) {
            int index = order[from + i];
            dataset.copySample(index, x, i * sampleSize);
            labels[i] = dataset.label(index);
            if (augmentation != null) {
                augmentation.apply(
                        x, i * sampleSize, sampleShape.clone(), new SplittableRandom(Seeds.sample(seed, epoch, index)));
            }
        }
        return new Batch(x, shape, labels);
    }
}
