package dev.spikebit.data.loader;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.augment.Augmentation;
import java.util.SplittableRandom;

/**
 * Iterates a {@link Dataset} in batches, the way training consumes it.
 *
 * <ul>
 *   <li><b>Repeatable.</b> Epoch {@code e} visits the samples in a permutation drawn from
 *       (seed, e) alone, and augments sample {@code i} with a generator seeded from
 *       (seed, e, i) alone. The same seed gives the same batches, whatever the thread timing,
 *       and training can resume at any epoch, or at any batch with {@link #epoch(int, int)}.</li>
 *   <li><b>Overlapped.</b> Each epoch prepares its next batches on one background daemon thread
 *       into a queue of {@code prefetch} batches ({@link Epoch}); {@code prefetch(0)} prepares them
 *       on the caller's thread instead, with identical results.</li>
 *   <li><b>Safe to abandon.</b> {@link Epoch} is {@link AutoCloseable}; closing it mid-epoch stops
 *       its thread, and failures on that thread reach the caller.</li>
 * </ul>
 *
 * <pre>{@code
 * var loader = DataLoader.over(data.train()).batchSize(64).shuffle(true).seed(42)
 *         .augmentation(Augmentation.cropAndFlip(4)).build();
 * for (int e = 0; e < epochs; e++) {
 *     try (var batches = loader.epoch(e)) {
 *         while (batches.hasNext()) {
 *             Batch batch = batches.next();
 *             ...
 *         }
 *     }
 * }
 * }</pre>
 */
public final class DataLoader {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final int prefetch;
    private final Augmentation augmentation;
    private final boolean reuseBuffers;

    private DataLoader(Builder builder) {
        this.dataset = builder.dataset;
        this.batchSize = builder.batchSize;
        this.shuffle = builder.shuffle;
        this.dropLast = builder.dropLast;
        this.seed = builder.seed;
        this.prefetch = builder.prefetch;
        this.augmentation = builder.augmentation;
        this.reuseBuffers = builder.reuseBuffers;
    }

    /** A builder for a loader over {@code dataset}. */
    public static Builder over(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch: {@code floor(n / B)} with drop-last, {@code ceil(n / B)} without. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * The order in which epoch {@code epoch} visits the dataset: the identity without shuffling,
     * otherwise a Fisher-Yates permutation driven by a generator seeded from (seed, epoch).
     */
    public int[] order(int epoch) {
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            var rng = new SplittableRandom(Seeds.shuffle(seed, epoch));
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
        }
        return order;
    }

    /** Epoch {@code epoch} from its first batch. */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * Epoch {@code epoch} starting at batch {@code firstBatch}: the same batches as a full epoch
     * from there on, for resuming training mid-epoch.
     */
    public Epoch epoch(int epoch, int firstBatch) {
        int end = batchesPerEpoch();
        if (firstBatch < 0 || firstBatch > end) {
            throw new IllegalArgumentException(
                    "first batch " + firstBatch + " is outside 0.." + end + " for " + dataset.name());
        }
        var assembler = new BatchAssembler(dataset, batchSize, augmentation, seed, epoch, order(epoch));
        return new Epoch(dataset.name(), epoch, firstBatch, end, assembler, prefetch, reuseBuffers);
    }

    /** Options of a {@link DataLoader}; the defaults suit evaluation (no shuffle, no augmentation). */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 64;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private int prefetch = 2;
        private Augmentation augmentation;
        private boolean reuseBuffers;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        /** Samples per batch, default 64 (docs/methods.md section 5). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Visits the samples in a new random order each epoch; default off. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Drops the last batch if it would be smaller than the batch size; default off. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The seed of the shuffle and of the augmentation generators; default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Batches prepared ahead on the background thread, default 2; 0 prepares them on the caller's thread. */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** A transform applied to every sample as it is copied into a batch; default none. */
        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /**
         * Recycles the {@code float[]} of full batches within an epoch instead of allocating one per
         * batch; default off. A batch's {@code x} is then valid only until the next call to
         * {@link Epoch#next()}, which suits a training loop that is done with a batch before asking
         * for the next, and not code that keeps batches.
         */
        public Builder reuseBuffers(boolean reuse) {
            this.reuseBuffers = reuse;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
