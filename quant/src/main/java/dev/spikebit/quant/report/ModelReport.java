package dev.spikebit.quant.report;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.runtime.Energy;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The efficiency accounting of a deployed network (docs/methods.md 4), measured on a batch: per layer
 * its storage (bits per weight, bytes), its neurons' firing rate, and the MACs, ACs and energy of
 * one inference; {@link #table()} prints it for {@code spikebit inspect}.
 *
 * @param model     the zoo name
 * @param timeSteps T
 * @param images    how many images the counts were averaged over
 * @param layers    one per node that does something (repeat, flatten and the readout are left out)
 */
public record ModelReport(String model, int timeSteps, int images, List<LayerReport> layers) {

    public ModelReport {
        layers = List.copyOf(layers);
    }

    /**
     * Runs {@code model} in the runtime's {@link ReferenceExecutor} on {@code images}
     * ({@code [N, C, H, W]}, row-major) and accounts for what it did, per image.
     */
    public static ModelReport measure(Graph model, float[] images) {
        ActivityCounter counter = new ActivityCounter(model);
        long perImage = Graph.count(model.inputShape());
        if (images.length == 0 || images.length % perImage != 0) {
            throw new SpikebitException("deployed model " + model.model() + ": " + images.length
                    + " input values are not whole images of shape " + Arrays.toString(model.inputShape()));
        }
        int count = (int) (images.length / perImage);
        ReferenceExecutor.run(model, images, count, counter);
        List<Layer> nodes = model.layers();
        List<int[]> shapes = model.shapes();
        List<LayerReport> layers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Layer node = nodes.get(i);
            int[] out = shapes.get(i);
            if (!(node instanceof Layer.Repeat
                    || node instanceof Layer.Flatten
                    || node instanceof Layer.MeanOverTime)) {
                double rate = node instanceof Layer.Neuron
                        ? (double) counter.nonZeroOutputs[i] / Math.max(1, counter.outputs[i])
                        : Double.NaN;
                layers.add(new LayerReport(
                        node.name(),
                        node.kind(),
                        out,
                        weights(node),
                        bits(node),
                        DeployedFormat.parameterBytes(node),
                        rate,
                        counter.macs[i] / count,
                        counter.acs[i] / count,
                        i < model.repeatIndex(),
                        node instanceof Layer.Neuron n && n.scale() != null
                                ? (double) counter.nonZeroOutputs[i] / count
                                : 0));
            }
        }
        return new ModelReport(model.model(), model.timeSteps(), count, layers);
    }

    private static long weights(Layer node) {
        return switch (node) {
            case Layer.Conv c -> c.weight().length;
            case Layer.SignConv c -> (long) c.signs().rows() * c.signs().rowLength();
            case Layer.CodewordConv c -> 9L * c.outChannels() * c.inChannels();
            case Layer.Linear l -> l.weight().length;
            case Layer.SignLinear l -> (long) l.signs().rows() * l.signs().rowLength();
            default -> 0;
        };
    }

    private static double bits(Layer node) {
        return switch (node) {
            case Layer.SignConv c -> 1;
            case Layer.CodewordConv c -> c.eta() / 9.0; // index bits only; the codebook is in bytes
            case Layer.SignLinear l -> 1;
            case Layer.Conv c -> 32;
            case Layer.Linear l -> 32;
            default -> 0;
        };
    }

    private static String bitsText(double bits) {
        return bits == Math.rint(bits) ? Long.toString((long) bits) : String.format("%.3f", bits);
    }

    public double macs() {
        return layers.stream().mapToDouble(LayerReport::macs).sum();
    }

    public double acs() {
        return layers.stream().mapToDouble(LayerReport::acs).sum();
    }

    public double energyPj() {
        return layers.stream().mapToDouble(LayerReport::energyPj).sum();
    }

    /** Multiplies of emitted ReverB spikes by their neurons' scales, per inference (not in {@link #macs}). */
    public double scaleMultiplies() {
        return layers.stream().mapToDouble(LayerReport::scaleMultiplies).sum();
    }

    /**
     * The MACs under the convention most papers use: the layers that run once per image with
     * direct encoding counted at every one of the T steps (docs/methods.md 4).
     */
    public double macsCountedPerStep() {
        return layers.stream()
                .mapToDouble(l -> l.oncePerImage() ? l.macs() * timeSteps : l.macs())
                .sum();
    }

    /** The ACs under the per-step convention of {@link #macsCountedPerStep}. */
    public double acsCountedPerStep() {
        return layers.stream()
                .mapToDouble(l -> l.oncePerImage() ? l.acs() * timeSteps : l.acs())
                .sum();
    }

    /** Bytes of all parameters. */
    public long bytes() {
        return layers.stream().mapToLong(LayerReport::bytes).sum();
    }

    public long weights() {
        return layers.stream().mapToLong(LayerReport::weights).sum();
    }

    /** Bits of weight storage per weight over the whole network (weights only). */
    public double bitsPerWeight() {
        double bits = 0;
        for (LayerReport l : layers) {
            bits += l.weights() * l.bitsPerWeight();
        }
        long w = weights();
        return w == 0 ? 0 : bits / w;
    }

    /** The report as a text table with totals, per inference. */
    public String table() {
        var t = new TextTable(
                "layer", "kind", "output", "weights", "bits/w", "bytes", "firing", "MACs", "ACs", "energy");
        for (LayerReport l : layers) {
            t.row(
                    l.name(),
                    l.kind(),
                    Arrays.toString(l.outputShape()),
                    l.weights() == 0 ? "" : String.format("%,d", l.weights()),
                    l.bitsPerWeight() == 0 ? "" : bitsText(l.bitsPerWeight()),
                    String.format("%,d", l.bytes()),
                    l.isNeuron() ? String.format("%.2f%%", 100 * l.firingRate()) : "",
                    ops(l.macs()),
                    ops(l.acs()),
                    energy(l.energyPj()));
        }
        t.row(
                "total",
                "",
                "",
                String.format("%,d", weights()),
                String.format("%.2f", bitsPerWeight()),
                String.format("%,d", bytes()),
                "",
                ops(macs()),
                ops(acs()),
                energy(energyPj()));
        double perStepMacs = macsCountedPerStep();
        double perStepAcs = acsCountedPerStep();
        return String.format(
                        "Model %s, T = %d, averaged over %d images, per inference "
                                + "(E = %.1f pJ/MAC + %.1f pJ/AC; the first layers, before the repeat, "
                                + "counted once per image; padding taps not counted)%n",
                        model, timeSteps, images, Energy.MAC_PJ, Energy.AC_PJ)
                + t.render()
                + String.format(
                        "%nPapers' convention (the first layers counted at each of the T = %d steps): "
                                + "%s MACs, %s ACs, %s%n",
                        timeSteps,
                        ops(perStepMacs),
                        ops(perStepAcs),
                        energy(Energy.picojoules(perStepMacs, perStepAcs)))
                + String.format(
                        "Spike-scale multiplies (one per emitted ReverB spike, not in the MACs above): %s, %s%n",
                        ops(scaleMultiplies()), energy(Energy.picojoules(scaleMultiplies(), 0)));
    }

    private static String ops(double n) {
        if (n == 0) {
            return "0";
        }
        if (n >= 1e6) {
            return String.format("%.2fM", n / 1e6);
        }
        if (n >= 1e3) {
            return String.format("%.1fk", n / 1e3);
        }
        return String.format("%.1f", n);
    }

    private static String energy(double pj) {
        if (pj >= 1e6) {
            return String.format("%.2f uJ", pj / 1e6);
        }
        if (pj >= 1e3) {
            return String.format("%.2f nJ", pj / 1e3);
        }
        return String.format("%.1f pJ", pj);
    }
}
