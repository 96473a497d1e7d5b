package dev.spikebit.spark;

import dev.spikebit.train.Trainer.StepTotals;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sum of replicas' states after a round, as Spark's {@code treeAggregate} builds it: every
 * array summed in double (so the order in which Spark combines the partial sums changes nothing
 * but the last bits of a double, far below a float's), the step counts checked to agree, the
 * training totals added, and the longest compute time of a replica kept.
 */
final class ReplicaSum implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Map<String, double[]> model = new LinkedHashMap<>();
    private final Map<String, double[]> optimizer = new LinkedHashMap<>();
    private float[] steps;
    private int replicas;
    private long images;
    private double lossSum;
    private double auxiliarySum;
    private long correct;
    private long longestComputeNanos;

    /** Adds one replica's state after its steps, with what it trained and how long it took. */
    ReplicaSum add(ReplicaState state, StepTotals totals, long computeNanos) {
        addAll(model, state.model());
        addAll(optimizer, state.optimizer());
        agreeOnSteps(state.steps());
        replicas++;
        images += totals.images();
        lossSum += totals.lossSum();
        auxiliarySum += totals.auxiliarySum();
        correct += totals.correct();
        longestComputeNanos = Math.max(longestComputeNanos, computeNanos);
        return this;
    }

    /** Adds another partial sum into this one. */
    ReplicaSum merge(ReplicaSum other) {
        other.model.forEach((name, values) -> addAll(model, name, values));
        other.optimizer.forEach((name, values) -> addAll(optimizer, name, values));
        if (other.steps != null) {
            agreeOnSteps(other.steps);
        }
        replicas += other.replicas;
        images += other.images;
        lossSum += other.lossSum;
        auxiliarySum += other.auxiliarySum;
        correct += other.correct;
        longestComputeNanos = Math.max(longestComputeNanos, other.longestComputeNanos);
        return this;
    }

    int replicas() {
        return replicas;
    }

    StepTotals totals() {
        return new StepTotals(images, lossSum, auxiliarySum, correct);
    }

    long longestComputeNanos() {
        return longestComputeNanos;
    }

    /** The mean of the replicas' states. */
    ReplicaState mean() {
        if (replicas == 0) {
            throw new IllegalStateException("no replica reported back");
        }
        return new ReplicaState(mean(model), mean(optimizer), steps);
    }

    private Map<String, float[]> mean(Map<String, double[]> sums) {
        Map<String, float[]> out = new LinkedHashMap<>();
        sums.forEach((name, sum) -> {
            float[] m = new float[sum.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) (sum[i] / replicas);
            }
            out.put(name, m);
        });
        return out;
    }

    private void agreeOnSteps(float[] other) {
        if (steps == null) {
            steps = other.clone();
        } else if (!Arrays.equals(steps, other)) {
            throw new IllegalStateException("replicas ended a round at different optimizer steps");
        }
    }

    private static void addAll(Map<String, double[]> sums, Map<String, float[]> values) {
        values.forEach((name, v) -> {
            double[] sum = sums.computeIfAbsent(name, n -> new double[v.length]);
            requireLength(name, sum.length, v.length);
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
        });
    }

    private static void addAll(Map<String, double[]> sums, String name, double[] values) {
        double[] sum = sums.get(name);
        if (sum == null) {
            sums.put(name, values.clone());
            return;
        }
        requireLength(name, sum.length, values.length);
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
        }
    }

    private static void requireLength(String name, int expected, int actual) {
        if (expected != actual) {
            throw new IllegalStateException(
                    "replicas disagree on the size of \"" + name + "\": " + expected + " and " + actual);
        }
    }
}
