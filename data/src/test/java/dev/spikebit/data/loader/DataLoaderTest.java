package dev.spikebit.data.loader;

import static dev.spikebit.data.loader.IndexDataset.indices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import dev.spikebit.data.augment.Augmentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    private static DataLoader.Builder loader(int size) {
        return DataLoader.over(new IndexDataset(size))
                .batchSize(7)
                .shuffle(true)
                .seed(42);
    }

    /** All batches of one epoch, copied, so buffer reuse cannot disturb the comparison. */
    private static List<Batch> drain(DataLoader loader, int epoch, int firstBatch) {
        var batches = new ArrayList<Batch>();
        try (Epoch e = loader.epoch(epoch, firstBatch)) {
            while (e.hasNext()) {
                Batch b = e.next();
                batches.add(
                        new Batch(b.x().clone(), b.shape().clone(), b.labels().clone()));
            }
        }
        return batches;
    }

    private static List<Batch> drain(DataLoader loader, int epoch) {
        return drain(loader, epoch, 0);
    }

    private static int[] visited(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(indices(b))).toArray();
    }

    @Test
    void everyIndexExactlyOncePerEpochWithShapesAndLabels() {
        DataLoader loader = loader(50).build();
        assertThat(loader.batchesPerEpoch()).isEqualTo(8);

        for (int epoch = 0; epoch < 3; epoch++) {
            List<Batch> batches = drain(loader, epoch);

            assertThat(batches).hasSize(8);
            assertThat(visited(batches))
                    .containsExactlyInAnyOrder(IntStream.range(0, 50).toArray());
            assertThat(visited(batches)).containsExactly(loader.order(epoch));
            for (int b = 0; b < 8; b++) {
                Batch batch = batches.get(b);
                int size = b < 7 ? 7 : 1;
                assertThat(batch.shape()).containsExactly(size, 1, 2, 2);
                assertThat(batch.x()).hasSize(size * 4);
                int[] indices = indices(batch);
                for (int i = 0; i < size; i++) {
                    assertThat(batch.x()).containsSubsequence(indices[i], indices[i], indices[i], indices[i]);
                    assertThat(batch.labels()[i]).isEqualTo(indices[i] % 10);
                }
            }
        }
    }

    @Test
    void dropLastLeavesOutTheShortBatch() {
        DataLoader loader = loader(50).dropLast(true).build();
        List<Batch> batches = drain(loader, 0);

        assertThat(loader.batchesPerEpoch()).isEqualTo(7);
        assertThat(batches).hasSize(7).allSatisfy(b -> assertThat(b.size()).isEqualTo(7));
        assertThat(visited(batches)).doesNotHaveDuplicates().hasSize(49);
    }

    @Test
    void withoutShuffleTheOrderIsTheDatasetOrder() {
        List<Batch> batches = drain(loader(20).shuffle(false).build(), 5);
        assertThat(visited(batches)).containsExactly(IntStream.range(0, 20).toArray());
    }

    @Test
    void sameSeedSameOrderOtherSeedOrEpochOtherOrder() {
        int[] first = visited(drain(loader(200).build(), 3));
        int[] again = visited(drain(loader(200).build(), 3));
        int[] otherSeed = visited(drain(loader(200).seed(43).build(), 3));
        int[] otherEpoch = visited(drain(loader(200).build(), 4));

        assertThat(again).containsExactly(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(otherEpoch).isNotEqualTo(first);
        assertThat(first).isNotEqualTo(IntStream.range(0, 200).toArray());
    }

    @Test
    void resumingMidEpochGivesTheRemainingBatches() {
        DataLoader loader = loader(100).augmentation(noise()).build();
        List<Batch> whole = drain(loader, 2);
        List<Batch> resumed = drain(loader, 2, 5);

        assertThat(resumed).hasSize(whole.size() - 5);
        for (int b = 0; b < resumed.size(); b++) {
            assertSameBatch(resumed.get(b), whole.get(b + 5));
        }
        assertThat(drain(loader, 2, loader.batchesPerEpoch())).isEmpty();
        assertThatThrownBy(() -> loader.epoch(2, loader.batchesPerEpoch() + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Adds a random amount to each value: the result shows which generator a sample received. */
    private static Augmentation noise() {
        return (data, offset, shape, rng) -> {
            for (int k = 0; k < 4; k++) {
                data[offset + k] += rng.nextFloat() * 0.5f;
            }
        };
    }

    /** Like {@link #noise()} but slow on some samples, to scramble the prefetch thread's timing. */
    private static Augmentation jitteryNoise() {
        Augmentation noise = noise();
        return (data, offset, shape, rng) -> {
            if (((int) data[offset]) % 5 == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            noise.apply(data, offset, shape, rng);
        };
    }

    @Test
    void augmentationDependsOnSeedEpochAndIndexNotOnThreadsOrOrder() {
        List<Batch> prefetched =
                drain(loader(60).augmentation(jitteryNoise()).prefetch(3).build(), 1);
        List<Batch> inline = drain(loader(60).augmentation(noise()).prefetch(0).build(), 1);
        assertThat(prefetched).hasSameSizeAs(inline);
        for (int b = 0; b < inline.size(); b++) {
            assertSameBatch(prefetched.get(b), inline.get(b));
        }

        // Sample i gets the same noise whichever batch it lands in: compare a shuffled and an ordered run.
        float[] bySampleShuffled =
                noiseBySample(drain(loader(60).augmentation(noise()).build(), 1));
        float[] bySampleOrdered = noiseBySample(
                drain(loader(60).shuffle(false).augmentation(noise()).build(), 1));
        assertThat(bySampleShuffled).containsExactly(bySampleOrdered);

        float[] nextEpoch = noiseBySample(drain(loader(60).augmentation(noise()).build(), 2));
        assertThat(nextEpoch).isNotEqualTo(bySampleShuffled);
    }

    private static float[] noiseBySample(List<Batch> batches) {
        float[] noise = new float[60 * 4];
        for (Batch batch : batches) {
            for (int i = 0; i < batch.size(); i++) {
                int index = (int) batch.x()[i * 4];
                for (int k = 0; k < 4; k++) {
                    noise[index * 4 + k] = batch.x()[i * 4 + k] - index;
                }
            }
        }
        return noise;
    }

    private static void assertSameBatch(Batch actual, Batch expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(actual.labels()).containsExactly(expected.labels());
        assertThat(actual.x()).containsExactly(expected.x());
    }

    @Test
    void reusedBuffersGiveTheSameBatchesAndAreActuallyReused() {
        DataLoader plain = loader(100).augmentation(noise()).build();
        for (int prefetch : new int[] {0, 2}) {
            DataLoader reusing = loader(100)
                    .augmentation(noise())
                    .prefetch(prefetch)
                    .reuseBuffers(true)
                    .build();
            List<Batch> expected = drain(plain, 0);
            Set<float[]> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
            try (Epoch epoch = reusing.epoch(0)) {
                for (int b = 0; epoch.hasNext(); b++) {
                    Batch batch = epoch.next();
                    assertSameBatch(batch, expected.get(b));
                    arrays.add(batch.x());
                }
            }
            assertThat(arrays.size())
                    .as("distinct arrays with prefetch %d", prefetch)
                    .isLessThanOrEqualTo(prefetch + 3);
        }
    }

    @Test
    void closingMidEpochEndsThePrefetchThread() {
        Epoch epoch = loader(1000).prefetch(2).build().epoch(0);
        Thread thread = epoch.prefetchThread();
        assertThat(thread.isDaemon()).isTrue();
        assertThat(thread.getName()).contains("index-1000");

        epoch.next();
        epoch.close();

        assertThat(thread.isAlive()).isFalse();
        assertThat(epoch.hasNext()).isFalse();
        assertThatThrownBy(epoch::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theThreadEndsByItselfAtTheEndOfTheEpoch() throws InterruptedException {
        Epoch epoch = loader(30).build().epoch(0);
        Thread thread = epoch.prefetchThread();
        while (epoch.hasNext()) {
            epoch.next();
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(thread.isAlive()).isFalse();
        assertThatThrownBy(epoch::next).isInstanceOf(java.util.NoSuchElementException.class);
    }

    /** An epoch dropped mid-way without close(): its cleaner stops the thread once it is collected. */
    @Test
    void anAbandonedEpochStopsItsThread() throws InterruptedException {
        Thread thread = startAndAbandon(loader(1000).build());
        for (int attempt = 0; attempt < 100 && thread.isAlive(); attempt++) {
            System.gc();
            thread.join(100);
        }
        assertThat(thread.isAlive()).isFalse();
    }

    private static Thread startAndAbandon(DataLoader loader) {
        Epoch epoch = loader.epoch(0);
        epoch.next();
        return epoch.prefetchThread();
    }

    @Test
    void failuresOnThePrefetchThreadReachTheConsumer() {
        var broken = new IllegalStateException("disk on fire");
        var dataset = new IndexDataset(100) {
            @Override
            public void copySample(int index, float[] dst, int offset) {
                if (index == 30) {
                    throw broken;
                }
                super.copySample(index, dst, offset);
            }
        };
        DataLoader loader = DataLoader.over(dataset).batchSize(10).prefetch(2).build();

        Epoch epoch = loader.epoch(0);
        Thread thread = epoch.prefetchThread();
        for (int b = 0; b < 3; b++) {
            assertThat(indices(epoch.next())).startsWith(b * 10);
        }
        assertThatThrownBy(epoch::next)
                .isInstanceOf(DataException.class)
                .hasMessageContaining("index-100: preparing batch 3 of epoch 0 failed")
                .hasMessageContaining("disk on fire")
                .cause()
                .isSameAs(broken);
        assertThat(epoch.hasNext()).isFalse();
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void failuresInAugmentationSurfaceTheSameWayWithOrWithoutPrefetch() {
        Augmentation failing = (data, offset, shape, rng) -> {
            if (data[offset] == 17) {
                throw new ArithmeticException("bad sample");
            }
        };
        for (int prefetch : new int[] {0, 3}) {
            DataLoader loader = DataLoader.over(new IndexDataset(40))
                    .batchSize(8)
                    .prefetch(prefetch)
                    .augmentation(failing)
                    .build();
            try (Epoch epoch = loader.epoch(4)) {
                epoch.next();
                epoch.next();
                assertThatThrownBy(epoch::next)
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("preparing batch 2 of epoch 4 failed")
                        .cause()
                        .isInstanceOf(ArithmeticException.class);
            }
        }
    }

    /** The background thread prepares batches while the consumer is busy: preparation overlaps training. */
    @Test
    void batchesArePreparedAheadOfTheConsumer() throws InterruptedException {
        var prepared = new CountDownLatch(3);
        Augmentation counting = (data, offset, shape, rng) -> {
            if (offset == 0) {
                prepared.countDown();
            }
        };
        try (Epoch epoch =
                loader(100).prefetch(2).augmentation(counting).build().epoch(0)) {
            // Without any call to next(), two batches fill the queue and a third is being prepared.
            assertThat(prepared.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(epoch.remaining()).isEqualTo(15);
        }
    }

    @Test
    void emptyDatasetHasNoBatches() {
        try (Epoch epoch = loader(0).build().epoch(0)) {
            assertThat(epoch.hasNext()).isFalse();
            assertThat(epoch.prefetchThread()).isNull();
        }
    }
}
