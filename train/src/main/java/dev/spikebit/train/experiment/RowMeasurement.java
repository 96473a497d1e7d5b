package dev.spikebit.train.experiment;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.report.LayerReport;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a table reports of a trained network besides its accuracy: its deployed form's size and the
 * activity of the deployed model on test images. Measuring counts every operation in the
 * reference executor, which costs as much as a fair part of a short training run, so the
 * measurement is kept in the run's folder ({@value #FILE}, beside {@code deployed.safetensors}):
 * the table is gathered again, or on another machine than the one that trained the run (a cluster's
 * driver after its executors trained and measured the rows), without measuring again. The numbers
 * are stored as the shortest decimals that read back to the same doubles, so a table from stored
 * measurements is the same bit for bit. With the run's record ({@code RunRecord}) it is all a
 * table needs of a row once the checkpoints are gone (docs/reproducibility.md, "Records").
 *
 * @param deployedBytes the size of {@code deployed.safetensors}
 * @param eligibleBytes the deployed bytes of the 3x3 convolutions with binary or sub-bit weights
 *     but the first convolution (what sub-bit compression shrinks)
 * @param bitsPerWeight the deployed model's bits per weight
 * @param firingRate    the mean firing rate of its neuron layers
 * @param macs          multiply-accumulates of one inference
 * @param acs           accumulates of one inference
 * @param energyPj      the energy of one inference, in pJ
 */
record RowMeasurement(
        long deployedBytes,
        long eligibleBytes,
        double bitsPerWeight,
        double firingRate,
        double macs,
        double acs,
        double energyPj) {
    static final String FILE = "measurement.json";

    /**
     * The measurement of {@code run}, whose folder is {@code dir}: the stored one when the run was
     * reused (not trained now) and its measurement was made on the same test images; otherwise the
     * network is deployed into {@code dir/deployed.safetensors} and measured on the first {@code
     * images} test images, and the measurement is stored.
     */
    static RowMeasurement of(ExperimentSetup.Trained run, Path dir, Dataset test, int images) throws IOException {
        int n = Math.min(images, test.size());
        String measuredOn = test.name() + ", " + test.size() + " images, the first " + n;
        Path file = dir.resolve(FILE);
        if (run.reused() && Files.isRegularFile(file)) {
            RowMeasurement stored = read(file, measuredOn);
            if (stored != null) {
                return stored;
            }
        }
        RowMeasurement measured = measure(run.model(), dir, Samples.first(test, n));
        AtomicFiles.writeString(file, measured.json(measuredOn));
        return measured;
    }

    private static RowMeasurement measure(SpikingClassifier net, Path dir, float[] images) throws IOException {
        net.eval();
        Graph deployed = Reparameterizer.deploy(net);
        Path file = dir.resolve("deployed.safetensors");
        DeployedFormat.save(file, deployed);
        ModelReport report = ModelReport.measure(deployed, images);
        double firing = report.layers().stream()
                .filter(LayerReport::isNeuron)
                .mapToDouble(LayerReport::firingRate)
                .average()
                .orElse(Double.NaN);
        return new RowMeasurement(
                Files.size(file),
                eligibleBytes(deployed),
                report.bitsPerWeight(),
                firing,
                report.macs(),
                report.acs(),
                report.energyPj());
    }

    private String json(String measuredOn) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("measuredOn", measuredOn);
        json.put("deployedBytes", deployedBytes);
        json.put("eligibleBytes", eligibleBytes);
        json.put("bitsPerWeight", Json.measured(bitsPerWeight));
        json.put("firingRate", Json.measured(firingRate));
        json.put("macs", Json.measured(macs));
        json.put("acs", Json.measured(acs));
        json.put("energyPj", Json.measured(energyPj));
        return Json.writeIndented(json) + "\n";
    }

    /**
     * The stored measurement, or null if it was made on other images (then it is made again).
     *
     * @throws SpikebitException naming the file when it cannot be read as a measurement (not JSON, a
     *     field missing, a number negative or not finite): with a record and no checkpoint, measuring
     *     again would mean training again, and a damaged file is no measurement to put in a table
     */
    private static RowMeasurement read(Path file, String measuredOn) {
        try {
            JsonObject o = JsonObject.parse(Files.readString(file), "the file");
            if (!measuredOn.equals(o.text("measuredOn", null))) {
                return null;
            }
            if (o.longInteger("deployedBytes", -1) <= 0 || o.longInteger("eligibleBytes", -1) < 0) {
                throw new IllegalArgumentException("\"deployedBytes\" or \"eligibleBytes\" is missing or negative");
            }
            return new RowMeasurement(
                    o.longInteger("deployedBytes", -1),
                    o.longInteger("eligibleBytes", -1),
                    measuredField(o, "bitsPerWeight"),
                    measuredField(o, "firingRate"),
                    measuredField(o, "macs"),
                    measuredField(o, "acs"),
                    measuredField(o, "energyPj"));
        } catch (IOException e) {
            throw new SpikebitException(file + ": cannot be read (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new SpikebitException(file + ": not a measurement: " + e.getMessage()
                    + "; delete it to measure the run again (which needs its last.safetensors, or trains it again)");
        }
    }

    /** A field that is a finite non-negative number (read as {@link Json#measured} wrote it). */
    private static double measuredField(JsonObject o, String field) {
        double value = o.real(field, Double.NaN);
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(
                    "field \"" + field + "\" is " + value + ", expected a finite number >= 0");
        }
        return value;
    }

    /**
     * The deployed bytes of the 3x3 convolutions with binary or sub-bit weights, but the first
     * convolution (kept binary by the compression).
     */
    static long eligibleBytes(Graph deployed) {
        long bytes = 0;
        boolean firstConv = true;
        for (Layer node : deployed.layers()) {
            switch (node) {
                case Layer.CodewordConv c -> bytes += DeployedFormat.parameterBytes(c);
                case Layer.SignConv c -> {
                    if (c.kernel() == 3 && !firstConv) {
                        bytes += DeployedFormat.parameterBytes(c);
                    }
                }
                default -> {}
            }
            if (node instanceof Layer.Conv || node instanceof Layer.SignConv || node instanceof Layer.CodewordConv) {
                firstConv = false;
            }
        }
        return bytes;
    }
}
