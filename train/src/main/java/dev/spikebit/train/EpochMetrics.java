package dev.spikebit.train;

import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one epoch of training measured; one row of {@code metrics.json}. */
public record EpochMetrics(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testLoss,
        double testAccuracy,
        double imagesPerSecond,
        double seconds,
        double learningRate) {

    /** The row as files hold it: one JSON object, fields in record order. */
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("epoch", epoch);
        json.put("trainLoss", Json.measured(trainLoss));
        json.put("trainAccuracy", Json.measured(trainAccuracy));
        json.put("testLoss", Json.measured(testLoss));
        json.put("testAccuracy", Json.measured(testAccuracy));
        json.put("imagesPerSecond", Json.measured(imagesPerSecond));
        json.put("seconds", Json.measured(seconds));
        json.put("learningRate", Json.measured(learningRate));
        return json;
    }

    /** The rows as a JSON array, as checkpoints store the history. */
    public static String toJson(List<EpochMetrics> rows) {
        return Json.write(rows.stream().map(EpochMetrics::json).toList());
    }

    /**
     * Reads what {@link #toJson(List)} wrote; absent fields read as 0.
     *
     * @throws IllegalArgumentException naming what is not a row or a field of the wrong type
     */
    public static List<EpochMetrics> listFromJson(String text) {
        if (!(Json.parse(text) instanceof List<?> rows)) {
            throw new IllegalArgumentException("expected a JSON array of epochs");
        }
        List<EpochMetrics> out = new ArrayList<>();
        for (Object row : rows) {
            out.add(fromJson(JsonObject.of(row, "entry " + out.size())));
        }
        return out;
    }

    /** One row as {@link #toJson(List)} writes it; absent fields read as 0. */
    static EpochMetrics fromJson(JsonObject o) {
        return new EpochMetrics(
                o.integer("epoch", 0),
                o.real("trainLoss", 0),
                o.real("trainAccuracy", 0),
                o.real("testLoss", 0),
                o.real("testAccuracy", 0),
                o.real("imagesPerSecond", 0),
                o.real("seconds", 0),
                o.real("learningRate", 0));
    }
}
