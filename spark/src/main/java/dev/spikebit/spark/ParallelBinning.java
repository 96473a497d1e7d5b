package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.events.CachedFrameDataset;
import java.io.PrintStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Builds missing frame caches on the cluster: each split's recordings are cut into ranges that the
 * executors bin ({@link CachedFrameDataset#binBlock}), and the driver writes the cache file from
 * their blocks in order ({@link CachedFrameDataset#assemble}), the same file one machine builds.
 *
 * <p>{@code toLocalIterator} alone would run one job per partition, one after the other; the blocks
 * are therefore binned by one parallel job into Spark's storage (memory, spilling to the executors'
 * disks) and then streamed to the driver a partition at a time, so the driver never holds more than
 * one partition's block.
 */
final class ParallelBinning {
    /** A block is at most this large, so that a partition of 128x128 recordings stays small. */
    static final long BLOCK_BYTES = 32L << 20;

    /** The splits of one job on one executor, by the broadcast id of their description. */
    private static final Map<Long, List<DatasetChoice.CachedSplit>> SPLITS = new ConcurrentHashMap<>();

    private ParallelBinning() {}

    /** One split's binning: its samples, and the Spark tasks and executors that binned them. */
    record Binned(String split, int samples, int tasks, int executors) {}

    /** Samples {@code [from, to)} of split {@code split} of a description. */
    record Range(int split, int from, int to) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** A range's counts and the task and executor that binned them. */
    record Block(long task, String executor, byte[] counts) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * Bins the splits of {@code caches} whose cache file is missing or invalid, in parallel over the
     * cluster of {@code spark}, and writes their files on the driver.
     *
     * @return what was binned, one entry per split that had no cache
     */
    static List<Binned> run(JavaSparkContext spark, ClusterBackend.FrameCaches caches, PrintStream log) {
        List<DatasetChoice.CachedSplit> splits = caches.cachedSplits();
        List<Integer> missing = new ArrayList<>();
        for (int k = 0; k < splits.size(); k++) {
            if (!splits.get(k).isCached()) {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        Broadcast<ClusterBackend.FrameCaches> shared = spark.broadcast(caches);
        List<Binned> done = new ArrayList<>();
        try {
            for (int k : missing) {
                done.add(bin(spark, shared, k, splits.get(k), log));
            }
        } finally {
            release(shared.id());
            shared.destroy();
        }
        return done;
    }

    private static Binned bin(
            JavaSparkContext spark,
            Broadcast<ClusterBackend.FrameCaches> shared,
            int k,
            DatasetChoice.CachedSplit split,
            PrintStream log) {
        long start = System.nanoTime();
        int size = split.source().size();
        List<Range> ranges =
                ranges(k, size, split.binning().sampleSize() * (long) Short.BYTES, spark.defaultParallelism());
        JavaRDD<Block> blocks = spark.parallelize(ranges, ranges.size())
                .map(r -> binRange(shared, r))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            blocks.count(); // bins every range, in parallel
            Set<Long> tasks = new HashSet<>();
            Set<String> executors = new HashSet<>();
            Iterator<Block> inOrder = blocks.toLocalIterator();
            Iterator<byte[]> counts = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return inOrder.hasNext();
                }

                @Override
                public byte[] next() {
                    Block b = inOrder.next();
                    tasks.add(b.task());
                    executors.add(b.executor());
                    return b.counts();
                }
            };
            CachedFrameDataset.assemble(split.source(), split.binning(), split.cacheDir(), counts);
            Binned binned = new Binned(split.source().name(), size, tasks.size(), executors.size());
            log.printf(
                    "spikebit: binned %s (%d samples) into %s in %d Spark tasks on %d executors, %.1f s%n",
                    binned.split(),
                    size,
                    CachedFrameDataset.cacheFile(split.source(), split.binning(), split.cacheDir()),
                    binned.tasks(),
                    binned.executors(),
                    (System.nanoTime() - start) / 1e9);
            return binned;
        } finally {
            blocks.unpersist(false);
        }
    }

    /**
     * Consecutive ranges covering {@code [0, size)}: a few per task slot so that slow recordings
     * even out, and none larger than {@link #BLOCK_BYTES}.
     */
    static List<Range> ranges(int split, int size, long sampleBytes, int slots) {
        int perBlock = (int) Math.max(1, Math.min(size, BLOCK_BYTES / sampleBytes));
        int count = Math.max((size + perBlock - 1) / perBlock, Math.min(size, 4 * Math.max(1, slots)));
        count = Math.max(1, count);
        List<Range> ranges = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            ranges.add(new Range(split, (int) ((long) size * p / count), (int) ((long) size * (p + 1) / count)));
        }
        return ranges;
    }

    private static Block binRange(Broadcast<ClusterBackend.FrameCaches> shared, Range r) {
        // The description is read once per executor and job: listing a dataset's folders is not free.
        DatasetChoice.CachedSplit split = SPLITS.computeIfAbsent(
                        shared.id(), id -> shared.value().cachedSplits())
                .get(r.split());
        TaskContext task = TaskContext.get();
        return new Block(
                task == null ? -1 : task.taskAttemptId(),
                SparkEnv.get().executorId(),
                CachedFrameDataset.binBlock(split.source(), split.binning(), r.from(), r.to()));
    }

    /**
     * Forgets a finished job's splits in this JVM: the driver's, which in local mode are the
     * executors' too. A cluster's executors keep theirs (a few file lists) until they end.
     */
    private static void release(long broadcastId) {
        SPLITS.remove(broadcastId);
    }
}
