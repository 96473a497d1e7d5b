package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.Trainer.StepTotals;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel training on Spark (local SGD, or parameter averaging): an epoch is cut into rounds
 * of {@code syncEvery} global batches. In a round the driver broadcasts its model's parameters and
 * buffers and its optimizer's state; each of the {@code workers} Spark tasks loads them into a
 * replica and trains it for the round's steps on its share of each global batch ({@link
 * ReplicaRound}); {@code treeAggregate} sums the replicas' states, and the driver keeps their mean
 * as its model and optimizer state. With one step per round and plain SGD this is synchronous
 * data-parallel SGD: the mean of the replicas' updates is the update of the whole global batch.
 *
 * <p>The optimizer state (momentum, Adam's moments) is averaged with the parameters rather than
 * kept per executor: the tasks then hold nothing between rounds, so Spark may place a round's task
 * on any executor, or run it again after a failure, with the same result, and the driver's
 * checkpoint holds the one optimizer state that {@code --resume} needs.
 */
final class DataParallelTraining implements Trainer.EpochSteps {
    private final JavaSparkContext spark;
    private final Trainer trainer;
    private final Broadcast<ClusterBackend.Replicas> replicas;
    private final ClusterBackend.DataParallel plan;
    private final PrintStream log;

    DataParallelTraining(
            JavaSparkContext spark,
            Trainer trainer,
            Broadcast<ClusterBackend.Replicas> replicas,
            ClusterBackend.DataParallel plan,
            PrintStream log) {
        this.spark = spark;
        this.trainer = trainer;
        this.replicas = replicas;
        this.plan = plan;
        this.log = log;
    }

    @Override
    public Map<String, String> checkpointInfo() {
        return Map.of(ClusterBackend.DataParallel.CHECKPOINT_KEY, plan.recorded());
    }

    @Override
    public StepTotals train(int epoch, ObjIntConsumer<StepTotals> progress) {
        List<Integer> workers = IntStream.range(0, plan.workers()).boxed().toList();
        StepTotals totals = StepTotals.NONE;
        long computeNanos = 0;
        long roundNanos = 0;
        int rounds = 0;
        for (int first = 0; first < plan.stepsPerEpoch(); first += plan.syncEvery()) {
            int steps = Math.min(plan.syncEvery(), plan.stepsPerEpoch() - first);
            long start = System.nanoTime();
            Broadcast<ReplicaState> shared = spark.broadcast(ReplicaState.of(trainer));
            // The task closure captures these locals only (this object holds the Spark context).
            int count = plan.workers();
            int epochOfRound = epoch;
            int firstOfRound = first;
            Broadcast<ClusterBackend.Replicas> description = replicas;
            ReplicaSum sum = spark.parallelize(workers, count)
                    .map(w -> new ReplicaRound(w, count, epochOfRound, firstOfRound, steps).run(description, shared))
                    .treeAggregate(new ReplicaSum(), ReplicaSum::merge, ReplicaSum::merge, 2);
            if (sum.replicas() != plan.workers()) {
                throw new IllegalStateException(
                        sum.replicas() + " of " + plan.workers() + " replicas reported back from a round");
            }
            sum.mean().loadInto(trainer, "the mean of the replicas");
            shared.destroy();
            roundNanos += System.nanoTime() - start;
            computeNanos += sum.longestComputeNanos();
            rounds++;
            totals = totals.plus(sum.totals());
            progress.accept(totals, first + steps);
        }
        double seconds = roundNanos / 1e9;
        double compute = computeNanos / 1e9;
        log.printf(
                "data-parallel epoch %d: %d workers, %d rounds of %d steps, %.0f img/s per worker while training, "
                        + "communication %.0f%% of the round time (broadcast, scheduling, aggregation: %.1f of %.1f s)%n",
                epoch,
                plan.workers(),
                rounds,
                plan.syncEvery(),
                totals.images() / (double) plan.workers() / Math.max(1e-9, compute),
                100 * (seconds - compute) / Math.max(1e-9, seconds),
                seconds - compute,
                seconds);
        return totals;
    }
}
