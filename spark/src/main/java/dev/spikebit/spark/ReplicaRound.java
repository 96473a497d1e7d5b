package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.loader.Batch;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.Trainer.StepTotals;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.broadcast.Broadcast;

/**
 * One worker's part of a data-parallel round, run as a Spark task: load the shared state into a
 * replica, train it for the round's steps on the worker's share of each global batch, and return
 * its state.
 *
 * <p>A task keeps nothing between rounds that its result depends on: the state comes from the
 * round's broadcast and the batches from (seed, epoch, step), so Spark may run a round's task on
 * any executor, or again after a failure, with the same result. What an executor keeps is only
 * what is costly to rebuild: the loaded data set (one per executor) and idle replicas (a model and
 * its optimizer, one per task slot) of the same job.
 *
 * @param worker the worker's index, 0 to workers - 1: it takes samples {@code [worker * B, (worker +
 *     1) * B)} of each global batch of {@code workers * B}
 */
record ReplicaRound(int worker, int workers, int epoch, int firstStep, int steps) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The data and idle replicas of each job on this executor, by the broadcast id of its replica description. */
    private static final Map<Long, Executor> EXECUTORS = new ConcurrentHashMap<>();

    /** What one job keeps on one executor. */
    private static final class Executor {
        private final ClusterBackend.Replicas replicas;
        private final ConcurrentLinkedQueue<Trainer> idle = new ConcurrentLinkedQueue<>();
        private DatasetChoice data;

        Executor(ClusterBackend.Replicas replicas) {
            this.replicas = replicas;
        }

        synchronized DatasetChoice data() {
            if (data == null) {
                data = replicas.data();
            }
            return data;
        }

        Trainer take() {
            Trainer t = idle.poll();
            return t != null ? t : replicas.replica(data());
        }
    }

    /** Runs this worker's round and returns its state after it as a one-replica sum. */
    ReplicaSum run(Broadcast<ClusterBackend.Replicas> replicas, Broadcast<ReplicaState> shared) {
        Executor executor = EXECUTORS.computeIfAbsent(replicas.id(), id -> new Executor(replicas.value()));
        long start = System.nanoTime();
        Trainer replica = executor.take();
        try {
            shared.value().loadInto(replica, "the shared state of epoch " + epoch + ", step " + firstStep);
            StepTotals totals;
            try (var batches = replica.trainingLoader().epoch(epoch - 1, firstStep)) {
                totals = replica.trainSteps(
                        new Iterator<>() {
                            private int taken;

                            @Override
                            public boolean hasNext() {
                                return taken < steps;
                            }

                            @Override
                            public Batch next() {
                                if (taken == steps) {
                                    throw new NoSuchElementException();
                                }
                                taken++;
                                return share(batches.next());
                            }
                        },
                        epoch);
            }
            long compute = System.nanoTime() - start;
            return new ReplicaSum().add(ReplicaState.of(replica), totals, compute);
        } finally {
            executor.idle.add(replica);
        }
    }

    /** Forgets the data and replicas of a finished job on this executor. */
    static void release(long replicasBroadcastId) {
        EXECUTORS.remove(replicasBroadcastId);
    }

    /** Samples {@code [worker * B, (worker + 1) * B)} of a global batch of {@code workers * B}. */
    Batch share(Batch global) {
        int per = global.size() / workers;
        int sampleSize = global.x().length / global.size();
        int from = worker * per;
        int[] shape = global.shape().clone();
        shape[0] = per;
        return new Batch(
                Arrays.copyOfRange(global.x(), from * sampleSize, (from + per) * sampleSize),
                shape,
                Arrays.copyOfRange(global.labels(), from, from + per));
    }
}
