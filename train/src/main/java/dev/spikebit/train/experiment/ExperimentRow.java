package dev.spikebit.train.experiment;

import dev.spikebit.runtime.io.Json;
import dev.spikebit.train.EpochMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** The row as the table's JSON file holds it, fields in record order. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("spikes", spikes);
        json.put("weights", weights);
        json.put("accuracies", accuracies.stream().map(Json::measured).toList());
        json.put("accuracyMean", Json.measured(accuracyMean));
        json.put("accuracyStd", Json.measured(accuracyStd));
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
