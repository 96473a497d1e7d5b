package dev.spikebit.quant.report;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryLayer;
import dev.spikebit.quant.deploy.ClassifierLayers;
import dev.spikebit.quant.deploy.ClassifierLayers.NamedLayer;
import dev.spikebit.quant.deploy.ClassifierLayers.Residual;
import dev.spikebit.quant.deploy.ClassifierLayers.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A layer-by-layer summary of a training network in the manner of Larq's {@code summary()}: each
 * layer's output shape (per sample and step), its parameters split into 1-bit weights and 32-bit
 * values, and the memory they would take packed; it says which layers are binary (docs/methods.md 2:
 * "report which layers are binary").
 *
 * @param model the zoo name
 * @param rows  one per leaf layer, in order; a residual block lists its branch, its shortcut, the
 *              addition and the neuron after it
 */
public record ModelSummary(String model, List<Row> rows) {

    /**
     * One layer.
     *
     * @param name         dotted path
     * @param type         the layer's own description
     * @param outputShape  output shape of one sample at one step (no batch or time axis)
     * @param weightBits   bits per weight of its weight tensor: 1 binary, 32 full precision, 0 none
     * @param oneBitParams weights stored as signs (binary layers)
     * @param floatParams  parameters stored as float32 (full-precision weights, biases, alpha, BN)
     */
    public record Row(
            String name, String type, int[] outputShape, int weightBits, long oneBitParams, long floatParams) {
        /** Bytes of the parameters with 1-bit weights packed 8 per byte. */
        public long memoryBytes() {
            return (oneBitParams + 7) / 8 + 4 * floatParams;
        }

        public boolean binary() {
            return weightBits == 1;
        }
    }

    /**
     * Summarises {@code model}, running one zero image through it in evaluation mode to learn the
     * output shapes (so batch-norm statistics are not touched); the model's mode is restored.
     */
    public static ModelSummary of(SpikingClassifier model) {
        var spec = model.spec();
        List<Row> rows = new ArrayList<>();
        boolean training = model.isTraining();
        model.eval();
        try (var scope = NoGrad.enter()) {
            Tensor x = Tensor.zeros(1, spec.inChannels(), spec.inSize(), spec.inSize());
            boolean repeated = false;
            for (Step step : ClassifierLayers.steps(model)) {
                if (!step.inStem() && !repeated) {
                    x = TimeOps.repeatTime(x, spec.timeSteps());
                    repeated = true;
                }
                int batchAxes = repeated ? 2 : 1;
                x = switch (step) {
                    case NamedLayer named -> forward(named, x, batchAxes, rows);
                    case Residual block -> {
                        Tensor branch = x;
                        for (NamedLayer named : block.branch()) {
                            branch = forward(named, branch, batchAxes, rows);
                        }
                        Tensor shortcut = x;
                        for (NamedLayer named : block.shortcut()) {
                            shortcut = forward(named, shortcut, batchAxes, rows);
                        }
                        Tensor sum = Elementwise.add(branch, shortcut);
                        rows.add(
                                new Row(block.addName(), "Add(branch + shortcut)", perSample(sum, batchAxes), 0, 0, 0));
                        yield block.after() == null ? sum : forward(block.after(), sum, batchAxes, rows);
                    }
                };
            }
        } finally {
            model.train(training);
        }
        return new ModelSummary(spec.model(), rows);
    }

    /** Runs one layer and adds its row. */
    private static Tensor forward(NamedLayer named, Tensor x, int batchAxes, List<Row> rows) {
        Tensor y = named.layer().forward(x);
        rows.add(row(named, perSample(y, batchAxes)));
        return y;
    }

    private static int[] perSample(Tensor x, int batchAxes) {
        int[] shape = x.shape();
        return Arrays.copyOfRange(shape, batchAxes, shape.length);
    }

    private static Row row(NamedLayer named, int[] outputShape) {
        Module layer = named.layer();
        boolean binary = layer instanceof BinaryLayer;
        int weightBits = binary ? 1 : layer instanceof Conv2d || layer instanceof Linear ? 32 : 0;
        long oneBit = 0;
        long floats = 0;
        for (Parameter p : layer.parameters()) {
            if (binary && p.name().equals("weight")) {
                oneBit += p.size();
            } else {
                floats += p.size();
            }
        }
        return new Row(named.name(), layer.describe(), outputShape, weightBits, oneBit, floats);
    }

    public long oneBitParams() {
        return rows.stream().mapToLong(Row::oneBitParams).sum();
    }

    public long floatParams() {
        return rows.stream().mapToLong(Row::floatParams).sum();
    }

    public long memoryBytes() {
        return rows.stream().mapToLong(Row::memoryBytes).sum();
    }

    /** The summary as a text table, one line per layer and a total. */
    public String table() {
        var t = new TextTable("layer", "type", "output", "bits/weight", "1-bit params", "32-bit params", "memory");
        for (Row r : rows) {
            t.row(
                    r.name(),
                    r.type(),
                    Arrays.toString(r.outputShape()),
                    r.weightBits() == 0 ? "" : r.weightBits() + (r.binary() ? " (binary)" : ""),
                    count(r.oneBitParams()),
                    count(r.floatParams()),
                    TextTable.bytes(r.memoryBytes()));
        }
        t.row("total", "", "", "", count(oneBitParams()), count(floatParams()), TextTable.bytes(memoryBytes()));
        return "Model " + model + "\n" + t.render();
    }

    private static String count(long n) {
        return n == 0 ? "0" : String.format("%,d", n);
    }
}
