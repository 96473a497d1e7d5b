package dev.spikebit.train.experiment;

import dev.spikebit.train.EpochMetrics;
import java.util.List;

/**
 * One row of a comparison table, aggregated over seeds: final test accuracy (mean and standard
 * deviation), the deployed model's size and the activity-based operation counts of one seed.
 */
public record ExperimentRow(
        String name,
        String spikes,
        String weights,
        List<Double> accuracies,
        double accuracyMean,
        double accuracyStd,
        double bitsPerWeight,
        long deployedBytes,
        double firingRate,
        double macs,
        double acs,
        double energyPj,
        List<List<EpochMetrics>> curves) {

    static ExperimentRow of(
            String name,
            String spikes,
            String weights,
            List<Double> accuracies,
            double bitsPerWeight,
            long deployedBytes,
            double firingRate,
            double macs,
            double acs,
            double energyPj,
            List<List<EpochMetrics>> curves) {
        double mean =
                accuracies.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var =
                accuracies.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum()
                        / Math.max(1, accuracies.size() - 1);
        return new ExperimentRow(
                name,
                spikes,
                weights,
                accuracies,
                mean,
                accuracies.size() > 1 ? Math.sqrt(var) : 0,
                bitsPerWeight,
                deployedBytes,
                firingRate,
                macs,
                acs,
                energyPj,
                curves);
    }
}
