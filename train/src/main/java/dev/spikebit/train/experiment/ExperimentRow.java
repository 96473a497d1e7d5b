package dev.spikebit.train.experiment;

import dev.spikebit.runtime.io.Json;
import dev.spikebit.train.EpochMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of a comparison table, aggregated over seeds: final test accuracy per seed (mean and
 * standard deviation), the final validation accuracy per seed when the experiment holds a
 * validation set out, the deployed model's size and the activity-based operation counts of one
 * seed.
 *
 * @param seeds                the seed of each run, in the order of {@code accuracies}
 * @param validationAccuracies the final validation accuracy of each run (empty without a validation set)
 */
public record ExperimentRow(
        String name,
        String spikes,
        String weights,
        List<Long> seeds,
        List<Double> accuracies,
        double accuracyMean,
        double accuracyStd,
        List<Double> validationAccuracies,
        double bitsPerWeight,
        long deployedBytes,
        double firingRate,
        double macs,
        double acs,
        double energyPj,
        List<List<EpochMetrics>> curves) {

    public ExperimentRow {
        seeds = List.copyOf(seeds);
        accuracies = List.copyOf(accuracies);
        validationAccuracies = List.copyOf(validationAccuracies);
        if (seeds.size() != accuracies.size()) {
            throw new IllegalArgumentException(
                    name + ": " + seeds.size() + " seeds for " + accuracies.size() + " accuracies");
        }
    }

    /** The test accuracy of the run with {@code seed}, or NaN if the row has no such run. */
    public double accuracyOfSeed(long seed) {
        int i = seeds.indexOf(seed);
        return i < 0 ? Double.NaN : accuracies.get(i);
    }

    /** The mean validation accuracy over seeds, NaN without a validation set. */
    public double validationMean() {
        return mean(validationAccuracies);
    }

    /** The row as the table's JSON file holds it, fields in record order. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("spikes", spikes);
        json.put("weights", weights);
        json.put("seeds", seeds);
        json.put("accuracies", accuracies.stream().map(Json::measured).toList());
        json.put("accuracyMean", Json.measured(accuracyMean));
        json.put("accuracyStd", Json.measured(accuracyStd));
        json.put(
                "validationAccuracies",
                validationAccuracies.stream().map(Json::measured).toList());
        json.put("bitsPerWeight", Json.measured(bitsPerWeight));
        json.put("deployedBytes", deployedBytes);
        json.put("firingRate", Json.measured(firingRate));
        json.put("macs", Json.measured(macs));
        json.put("acs", Json.measured(acs));
        json.put("energyPj", Json.measured(energyPj));
        json.put(
                "curves",
                curves.stream()
                        .map(run -> run.stream().map(EpochMetrics::json).toList())
                        .toList());
        return json;
    }

    static ExperimentRow of(
            String name,
            String spikes,
            String weights,
            List<Long> seeds,
            List<Double> accuracies,
            List<Double> validationAccuracies,
            double bitsPerWeight,
            long deployedBytes,
            double firingRate,
            double macs,
            double acs,
            double energyPj,
            List<List<EpochMetrics>> curves) {
        double mean = mean(accuracies);
        double var =
                accuracies.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum()
                        / Math.max(1, accuracies.size() - 1);
        return new ExperimentRow(
                name,
                spikes,
                weights,
                seeds,
                accuracies,
                mean,
                accuracies.size() > 1 ? Math.sqrt(var) : 0,
                validationAccuracies.stream().filter(v -> !Double.isNaN(v)).toList(),
                bitsPerWeight,
                deployedBytes,
                firingRate,
                macs,
                acs,
                energyPj,
                curves);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
