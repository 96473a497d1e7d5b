package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.Evaluation;
import dev.spikebit.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The cluster work of the commands, on Apache Spark: batch inference as one Spark job over
 * partitions of batches, experiments as one Spark task per independent run, and event recordings
 * binned into frame caches as one Spark job over ranges of recordings.
 */
public final class SparkBackend implements ClusterBackend {
    @Override
    public List<Inference> infer(String master, Path model, float[] pixels, int count, int batch, ExecutionPath path) {
        byte[] file;
        try {
            file = Files.readAllBytes(model);
        } catch (IOException e) {
            throw new SpikebitException(model + ": cannot read (" + e + ")", e);
        }
        int per = pixels.length / count;
        List<ImageBatch> batches = new ArrayList<>();
        for (int first = 0, index = 0; first < count; first += batch, index++) {
            batches.add(new ImageBatch(index, first, Math.min(batch, count - first)));
        }
        try (JavaSparkContext spark = SparkSessions.open(master, "spikebit infer " + model.getFileName())) {
            Broadcast<ModelFile> shared =
                    spark.broadcast(new ModelFile(model.getFileName().toString(), file));
            Broadcast<float[]> images = spark.broadcast(pixels);
            int partitions = Math.min(batches.size(), Math.max(1, 2 * spark.defaultParallelism()));
            List<BatchResult> results = spark.parallelize(batches, partitions)
                    .mapPartitions(it -> BatchInference.run(shared, images, per, it, path))
                    .collect();
            return results.stream()
                    .sorted(Comparator.comparingInt(BatchResult::index))
                    .map(BatchResult::toInference)
                    .toList();
        }
    }

    @Override
    public void runAll(String master, String jobName, List<? extends Task> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try (JavaSparkContext spark = SparkSessions.open(master, jobName)) {
            long started = System.nanoTime();
            List<Task> all = List.copyOf(tasks);
            // One partition per task: Spark schedules, retries and reports each run on its own.
            List<TaskRunner.Cost> costs =
                    spark.parallelize(all, all.size()).map(TaskRunner::run).collect();
            report(costs, (started - start) / 1e9, (System.nanoTime() - started) / 1e9);
        }
    }

    /** Where the time of the tasks went, as their executors measured it (docs/distributed.md). */
    private static void report(List<TaskRunner.Cost> costs, double startSeconds, double taskSeconds) {
        double cpu = 0;
        double jit = 0;
        double gc = 0;
        for (TaskRunner.Cost c : costs) {
            System.err.printf(
                    "spikebit: task %s on executor %s: %.1f s, CPU %.1f s (JIT %.1f s, GC %.1f s), %.1f CPU-s before it%n",
                    c.name(),
                    c.executor(),
                    c.wallSeconds(),
                    c.cpuSeconds(),
                    c.jitSeconds(),
                    c.gcSeconds(),
                    c.cpuBefore());
            cpu += c.cpuSeconds();
            jit += c.jitSeconds();
            gc += c.gcSeconds();
        }
        System.err.printf(
                "spikebit: Spark started in %.1f s; the %d tasks took %.1f s, executors' CPU in them %.1f s"
                        + " (JIT %.1f s, GC %.1f s)%n",
                startSeconds, costs.size(), taskSeconds, cpu, jit, gc);
    }

    @Override
    public SharedFolder openShared(String uri) {
        return HadoopFolder.open(uri);
    }

    @Override
    public List<EpochMetrics> trainDataParallel(String master, Trainer trainer, Replicas replicas, DataParallel plan) {
        try (JavaSparkContext spark = SparkSessions.open(master, "spikebit train --workers " + plan.workers())) {
            ParallelBinning.run(spark, replicas, System.err);
            Broadcast<Replicas> description = spark.broadcast(replicas);
            try {
                trainer.withEpochSteps(new DataParallelTraining(spark, trainer, description, plan, System.err));
                return trainer.run();
            } finally {
                trainer.withEpochSteps(null);
                // In local mode the executors are this JVM: drop their data and replicas of the job.
                ReplicaRound.release(description.id());
            }
        }
    }

    @Override
    public void binFrames(String master, FrameCaches caches) {
        if (caches.cachedSplits().stream().allMatch(DatasetChoice.CachedSplit::isCached)) {
            return; // nothing to bin: no Spark start-up
        }
        try (JavaSparkContext spark = SparkSessions.open(master, "spikebit bin frames")) {
            ParallelBinning.run(spark, caches, System.err);
        }
    }

    @Override
    public Evaluation.Scores evaluate(String master, Path checkpoint, DataSplit data, int batch) {
        byte[] file;
        try {
            file = Files.readAllBytes(checkpoint);
        } catch (IOException e) {
            throw new SpikebitException(checkpoint + ": cannot read (" + e + ")", e);
        }
        try (JavaSparkContext spark = SparkSessions.open(master, "spikebit eval " + checkpoint.getFileName())) {
            ParallelBinning.run(spark, data, System.err);
            Broadcast<ModelFile> shared =
                    spark.broadcast(new ModelFile(checkpoint.getFileName().toString(), file));
            Broadcast<DataSplit> split = spark.broadcast(data);
            try {
                // The size comes from an executor, which keeps the loaded split for the job.
                int size = spark.parallelize(List.of(0), 1)
                        .map(i -> PartitionEvaluation.size(shared, split))
                        .first();
                int batches = (size + batch - 1) / batch;
                int partitions = Math.min(batches, Math.max(1, 2 * spark.defaultParallelism()));
                List<int[]> ranges = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    // Whole batches per partition: the batches are those of the single-machine run.
                    int from = (int) ((long) batches * p / partitions) * batch;
                    int to = Math.min(size, (int) ((long) batches * (p + 1) / partitions) * batch);
                    ranges.add(new int[] {from, to});
                }
                List<PartitionEvaluation.Scores> parts = spark.parallelize(ranges, partitions)
                        .map(r -> PartitionEvaluation.run(shared, split, r[0], r[1], batch))
                        .collect();
                int[] predictions = new int[size];
                double lossSum = 0;
                long correct = 0;
                int at = 0;
                for (PartitionEvaluation.Scores part : parts) {
                    System.arraycopy(part.predictions(), 0, predictions, at, part.predictions().length);
                    at += part.predictions().length;
                    lossSum += part.lossSum();
                    correct += part.correct();
                }
                return new Evaluation.Scores(predictions, lossSum, correct);
            } finally {
                // In local mode the executors are this JVM: drop their data and models of the job.
                PartitionEvaluation.release(shared.id());
            }
        }
    }
}
