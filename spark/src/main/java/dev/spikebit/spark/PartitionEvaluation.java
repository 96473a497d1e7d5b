package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.train.Evaluation;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of {@code eval --spark}: scores samples {@code [from, to)} of the test split
 * with the broadcast checkpoint. An executor loads the split once and keeps idle models (one per
 * task slot: a model's forward pass is not shared between threads) for the job's later partitions.
 */
final class PartitionEvaluation {
    /** What one job keeps on one executor, by the broadcast id of its checkpoint. */
    private static final Map<Long, Executor> EXECUTORS = new ConcurrentHashMap<>();

    private PartitionEvaluation() {}

    /** A partition's scores; {@code predictions} are those of its samples in order. */
    record Scores(int[] predictions, double lossSum, long correct) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    private static final class Executor {
        private final Broadcast<ModelFile> checkpoint;
        private final Broadcast<ClusterBackend.DataSplit> split;
        private final ConcurrentLinkedQueue<SpikingClassifier> idle = new ConcurrentLinkedQueue<>();
        private Dataset data;
        private Checkpoint loaded;

        Executor(Broadcast<ModelFile> checkpoint, Broadcast<ClusterBackend.DataSplit> split) {
            this.checkpoint = checkpoint;
            this.split = split;
        }

        synchronized Dataset data() {
            if (data == null) {
                data = split.value().load();
            }
            return data;
        }

        synchronized Checkpoint checkpoint() {
            if (loaded == null) {
                loaded = load(checkpoint.value());
            }
            return loaded;
        }

        SpikingClassifier take() {
            SpikingClassifier m = idle.poll();
            return m != null ? m : QuantModels.fromCheckpoint(checkpoint());
        }
    }

    static Scores run(
            Broadcast<ModelFile> checkpoint, Broadcast<ClusterBackend.DataSplit> split, int from, int to, int batch) {
        Executor executor = EXECUTORS.computeIfAbsent(checkpoint.id(), id -> new Executor(checkpoint, split));
        SpikingClassifier model = executor.take();
        try {
            Evaluation.Scores s = Evaluation.score(model, new DatasetRange(executor.data(), from, to), batch);
            return new Scores(s.predictions(), s.lossSum(), s.correct());
        } finally {
            executor.idle.add(model);
        }
    }

    /** The number of samples of the split (loading it on this executor for the job's partitions). */
    static int size(Broadcast<ModelFile> checkpoint, Broadcast<ClusterBackend.DataSplit> split) {
        return EXECUTORS
                .computeIfAbsent(checkpoint.id(), id -> new Executor(checkpoint, split))
                .data()
                .size();
    }

    /** Forgets a finished job's data and models on this executor. */
    static void release(long checkpointBroadcastId) {
        EXECUTORS.remove(checkpointBroadcastId);
    }

    /** Checkpoints are read from files: the bytes go to a temporary file of this JVM first. */
    private static Checkpoint load(ModelFile file) {
        try {
            Path local = Files.createTempFile("spikebit-", "-" + file.name());
            try {
                Files.write(local, file.bytes());
                return Checkpoint.load(local);
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new SpikebitException(file.name() + ": cannot write the broadcast checkpoint locally (" + e + ")", e);
        }
    }
}
