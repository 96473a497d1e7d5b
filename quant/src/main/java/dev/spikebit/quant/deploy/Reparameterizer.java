package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Dropout;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Normalize;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.BinaryLayer;
import dev.spikebit.quant.binary.BinaryLinear;
import dev.spikebit.quant.deploy.ClassifierLayers.NamedLayer;
import dev.spikebit.quant.deploy.ClassifierLayers.Residual;
import dev.spikebit.quant.deploy.ClassifierLayers.Step;
import dev.spikebit.quant.subbit.Codebook;
import dev.spikebit.quant.subbit.SubBitConv2d;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.graph.SignMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a trained {@link SpikingClassifier} into its deployed standard form (docs/methods.md 2): the
 * runtime's layer {@link Graph}, which {@link DeployedFormat} writes and the runtime runs.
 *
 * <p>A binary layer {@code alpha * sign(W)} (with bias {@code beta0}, if any), followed by a
 * batch norm in evaluation mode and a neuron, computes per channel
 * {@code y = k * b + d} with {@code b = sign(W) * x},
 * {@code k = gamma * alpha / sqrt(var + eps)} and
 * {@code d = beta + gamma * (beta0 - mu) / sqrt(var + eps)} (without the batch norm: {@code k = alpha},
 * {@code d = beta0}). Where {@code k < 0} the channel's signs are negated and {@code |k|} used, so
 * the weights stay +-1; the neuron, divided by {@code k}, becomes
 * {@code U' = tau U' + b + d/k}, fires at {@code U' >= Vth/k} and emits 1 (binary spikes) or
 * {@code k U'} (ReverB real-valued spikes), which is exactly what the training neuron emits.
 * A binary layer that no neuron follows, because it ends the network or a path of a residual
 * block or feeds a residual block, keeps {@code |k|} and {@code d} as a per-channel affine map, so
 * its output is in the training network's units.
 *
 * <p>Residual blocks ({@link ClassifierLayers.Residual}: tdBN's basic block, the membrane
 * shortcut block) become their branch, their shortcut (nothing for the identity; the projection's
 * first node reads the block's input), an {@code add} node summing the two, and the neuron after
 * the sum if the block has one, which needs no rescaling (docs/reverb.md section 3).
 *
 * <p>A sub-bit conv ({@link SubBitConv2d}, docs/methods.md 3) folds the same way, with the codewords
 * its forward selects in place of {@code sign(W)}; it becomes a {@code codeword_conv} node holding
 * its codebook, one index per kernel and one negation bit per channel (docs/s2nn.md).
 *
 * <p>Full-precision layers are kept as they are; a batch norm after them becomes a per-channel
 * affine map computed exactly as the training network's evaluation-mode batch norm computes it, so
 * the full-precision stem of the deployed network gives bit-identical results. Batch norms are
 * always taken in evaluation form (running statistics), whatever mode the model is in; dropout
 * is left out.
 *
 * <p>A binary layer followed by anything else (a pooling, a flatten), or a channel with
 * {@code k = 0} (a batch norm with {@code gamma = 0}, or {@code alpha = 0}) that a neuron would have
 * to be divided by, has no standard form: {@link #deploy} fails with a {@link SpikebitException}
 * naming the layer.
 */
public final class Reparameterizer {
    /** Name of the node that marks the start of the time loop (the model's direct encoding). */
    public static final String REPEAT_NAME = "repeat";
    /** Name of the readout node. */
    public static final String READOUT_NAME = "readout";

    /** The steps in order, with null where the stem ends and the time loop begins. */
    private final List<Step> items = new ArrayList<>();

    private final List<Layer> nodes = new ArrayList<>();
    /** The inputs of the nodes that do not read their predecessor ({@link Graph#inputs}). */
    private final Map<String, List<String>> inputs = new LinkedHashMap<>();
    /** Output shape of every node so far, by name. */
    private final Map<String, int[]> shapes = new HashMap<>();
    /** The shape the next node reads. */
    private int[] shape;
    /** The node whose output the next node reads instead of its predecessor's, or null. */
    private String rerouteTo;

    private Reparameterizer(SpikingClassifier model) {
        var spec = model.spec();
        this.shape = new int[] {spec.inChannels(), spec.inSize(), spec.inSize()};
        for (Step step : ClassifierLayers.steps(model)) {
            if (!step.inStem() && !items.contains(null)) {
                items.add(null);
            }
            if (!(step instanceof NamedLayer named && named.layer() instanceof Dropout)) {
                items.add(step);
            }
        }
        if (!items.contains(null)) {
            items.add(null);
        }
    }

    /** The deployed form of {@code model}; the model itself is not changed. */
    public static Graph deploy(SpikingClassifier model) {
        var builder = new Reparameterizer(model);
        builder.deploy(builder.items);
        builder.add(new Layer.MeanOverTime(READOUT_NAME));
        var spec = model.spec();
        try {
            return Graph.of(
                    spec.model(),
                    spec.timeSteps(),
                    new int[] {spec.inChannels(), spec.inSize(), spec.inSize()},
                    spec.numClasses(),
                    builder.nodes,
                    builder.inputs);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException("cannot deploy " + spec.model() + ": " + e.getMessage(), e);
        }
    }

    /** Appends the nodes of a run of steps (the network, or one path of a residual block). */
    private void deploy(List<Step> steps) {
        for (int i = 0; i < steps.size(); i++) {
            switch (steps.get(i)) {
                case null -> add(new Layer.Repeat(REPEAT_NAME));
                case Residual block -> residual(block);
                case NamedLayer named
                when named.layer() instanceof BinaryLayer || named.layer() instanceof SubBitConv2d ->
                    i = foldBinary(steps, i);
                case NamedLayer named -> add(plain(named));
            }
        }
    }

    /**
     * Appends a node; it reads the previous node's output, or the output of the node
     * {@link #rerouteTo} names. Follows the shape so that neurons know their channel count.
     */
    private void add(Layer node) {
        if (rerouteTo != null) {
            inputs.put(node.name(), List.of(rerouteTo));
            shape = shapes.get(rerouteTo);
            rerouteTo = null;
        }
        try {
            shape = Graph.outputShape(node, shape);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException("cannot deploy: " + e.getMessage(), e);
        }
        shapes.put(node.name(), shape);
        nodes.add(node);
    }

    // ---------------------------------------------------------------- residual blocks

    /**
     * A residual block, docs/reverb.md section 3: the branch, then the projection shortcut (whose
     * first node reads the block's input), then an add of the two, then the neuron the sum drives
     * (if any). Both operands of the add are in the training network's units: a binary layer that
     * ends a path keeps its scale as an affine node ({@link #foldBinary}), and the identity
     * shortcut passes the block's input unchanged.
     */
    private void residual(Residual block) {
        if (nodes.isEmpty()) {
            throw undeployable(block, "starts the network; its shortcut needs a node to read the input from");
        }
        String input = nodes.getLast().name();
        deploy(List.copyOf(block.branch()));
        String branchEnd = nodes.getLast().name();
        String shortcutEnd = input;
        if (!block.shortcut().isEmpty()) {
            rerouteTo = input;
            deploy(List.copyOf(block.shortcut()));
            shortcutEnd = nodes.getLast().name();
        }
        String name = block.addName();
        int[] left = shapes.get(branchEnd);
        int[] right = shapes.get(shortcutEnd);
        if (!Arrays.equals(left, right)) {
            throw undeployable(
                    block,
                    "its branch ends in shape " + Arrays.toString(left) + " and its shortcut in "
                            + Arrays.toString(right) + "; they cannot be added");
        }
        inputs.put(name, List.of(branchEnd, shortcutEnd));
        shape = left;
        add(new Layer.Add(name));
        if (block.after() != null) {
            add(plain(block.after()));
        }
    }

    // ---------------------------------------------------------------- full-precision layers

    private Layer plain(NamedLayer named) {
        String name = named.name();
        Module layer = named.layer();
        return switch (layer) {
            case Normalize n -> new Layer.Normalize(name, n.mean(), n.std());
            case Conv2d c ->
                new Layer.Conv(
                        name,
                        c.inChannels(),
                        c.outChannels(),
                        c.kernel(),
                        c.stride(),
                        c.padding(),
                        c.weight().data().clone(),
                        c.bias() == null ? null : c.bias().data().clone());
            case Linear l ->
                new Layer.Linear(
                        name,
                        l.inFeatures(),
                        l.outFeatures(),
                        l.weight().data().clone(),
                        l.bias() == null ? null : l.bias().data().clone());
            case BatchNorm bn -> batchNormAffine(name, bn);
            case LIFNode lif -> plainNeuron(name, lif.config(), channelsRead());
            case MaxPool2d p -> new Layer.MaxPool(name, p.kernel(), p.stride());
            case AvgPool2d p ->
                p.isGlobal() ? new Layer.AvgPool(name, 0, 0) : new Layer.AvgPool(name, p.kernel(), p.stride());
            case Flatten f -> {
                int expected = named.inStem() ? 1 : 2;
                if (f.startAxis() != expected) {
                    throw undeployable(
                            named,
                            "flattens from axis " + f.startAxis() + "; in the "
                                    + (named.inStem() ? "stem (single-step)" : "body (multi-step)") + " only axis "
                                    + expected
                                    + " keeps the batch" + (named.inStem() ? "" : " and time") + " axes apart");
                }
                yield new Layer.Flatten(name);
            }
            default ->
                throw undeployable(
                        named,
                        "has no deployed form (supported: Normalize, Conv2d, Linear, their "
                                + "binary versions, BatchNorm, LIF neurons, MaxPool2d, AvgPool2d, Flatten, Dropout)");
        };
    }

    /** The channels the next node reads (the first axis of its input). */
    private int channelsRead() {
        int[] in = rerouteTo != null ? shapes.get(rerouteTo) : shape;
        return in.length == 0 ? 1 : in[0];
    }

    /**
     * The batch norm's evaluation-mode map as {@code x * scale + shift}, with scale and shift
     * computed by the same float operations as {@code BatchNormOp}, so results are bit-identical.
     */
    private static Layer.Affine batchNormAffine(String name, BatchNorm bn) {
        int channels = bn.channels();
        float[] gamma = bn.gamma().data();
        float[] beta = bn.beta().data();
        float[] mean = bn.runningMean();
        float[] var = bn.runningVar();
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            float invStd = (float) (1.0 / Math.sqrt(var[c] + bn.eps()));
            scale[c] = gamma[c] * invStd;
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new Layer.Affine(name, scale, shift);
    }

    /** A neuron that needs no rescaling: the threshold of the training neuron in every channel. */
    private static Layer.Neuron plainNeuron(String name, NeuronConfig config, int channels) {
        float[] threshold = new float[channels];
        Arrays.fill(threshold, config.vth());
        return new Layer.Neuron(
                name, channels, config.tau(), config.output() == OutputMode.REAL, threshold, null, null);
    }

    // ---------------------------------------------------------------- binary layers

    /**
     * Folds the binary layer at {@code at} of {@code steps}, the batch norm after it (if any) and
     * the neuron after that into a sign node and a rescaled neuron; returns the index of the last
     * step consumed. The end of the stem may fall anywhere in between (a binary first conv): the
     * sign layer then runs once per image and the repeat node comes before the neuron.
     *
     * <p>Where no neuron follows, because the layer ends the network or a path of a residual
     * block, or feeds a residual block (which adds it to the block's output), its output keeps the
     * training network's units: the sign node is followed by an affine node {@code |k| b + d}.
     */
    private int foldBinary(List<Step> steps, int at) {
        NamedLayer named = (NamedLayer) steps.get(at);
        Module layer = named.layer();
        int channels = layer instanceof BinaryLayer b ? b.outputs() : ((SubBitConv2d) layer).outChannels();
        int next = at + 1;
        boolean repeatSkipped = false;
        BatchNorm bn = null;
        String bnName = null;
        while (next < steps.size() && steps.get(next) == null) {
            repeatSkipped = true;
            next++;
        }
        if (next < steps.size() && steps.get(next) instanceof NamedLayer n && n.layer() instanceof BatchNorm b) {
            bn = b;
            bnName = n.name();
            next++;
        }
        while (next < steps.size() && steps.get(next) == null) {
            repeatSkipped = true;
            next++;
        }
        Step after = next < steps.size() ? steps.get(next) : null;
        boolean keepUnits = after == null || after instanceof Residual;
        if (!keepUnits && !(after instanceof NamedLayer n && n.layer() instanceof LIFNode)) {
            throw undeployable(
                    named,
                    "feeds " + after.name() + " (" + describe(after) + ")"
                            + (bn != null ? " after its batch norm " + bnName : "")
                            + "; a binary layer must be followed by "
                            + "a batch norm and/or a neuron (or end the network or a path of a residual block, or feed a "
                            + "residual block) to fold its amplitude into the standard form with +-1 weights (docs/methods.md 2)");
        }
        if (bn != null && bn.channels() != channels) {
            throw undeployable(
                    named,
                    "has " + channels + " outputs but its batch norm " + bnName + " has " + bn.channels()
                            + " channels");
        }

        double[] k = new double[channels];
        double[] d = new double[channels];
        float[] alpha = layer instanceof BinaryLayer b ? b.amplitudes() : ((SubBitConv2d) layer).amplitudes();
        var biasTensor = layer instanceof BinaryLayer b ? b.bias() : ((SubBitConv2d) layer).bias();
        float[] bias = biasTensor == null ? null : biasTensor.data();
        for (int c = 0; c < channels; c++) {
            double b0 = bias == null ? 0 : bias[c];
            if (bn == null) {
                k[c] = alpha[c];
                d[c] = b0;
            } else {
                double gamma = bn.gamma().data()[c];
                double inv = 1.0 / Math.sqrt((double) bn.runningVar()[c] + bn.eps());
                k[c] = gamma * alpha[c] * inv;
                d[c] = bn.beta().data()[c] + gamma * (b0 - bn.runningMean()[c]) * inv;
            }
            // An affine node can hold k = 0 (the channel is the constant d); a neuron cannot be divided by it.
            if (k[c] == 0 && !keepUnits || !Double.isFinite(k[c]) || !Double.isFinite(d[c])) {
                throw undeployable(
                        named,
                        "channel " + c + " has scale k = " + k[c] + " and offset d = " + d[c]
                                + (bn != null
                                        ? " (k = gamma * alpha / sqrt(var + eps) with gamma = "
                                                + bn.gamma().data()[c] + " in " + bnName + ", var = "
                                                + bn.runningVar()[c] + ", alpha = " + alpha[c] + ")"
                                        : " (alpha = " + alpha[c] + ")")
                                + (k[c] == 0
                                        ? "; with k = 0 the channel no longer depends on its input and the neuron cannot "
                                                + "be divided by k, so there is no standard form"
                                        : "; both must be finite numbers"));
            }
        }

        boolean[] negate = new boolean[channels];
        for (int c = 0; c < channels; c++) {
            negate[c] = k[c] < 0;
        }
        add(
                switch (layer) {
                    case BinaryConv2d conv ->
                        new Layer.SignConv(
                                named.name(),
                                conv.inChannels(),
                                conv.outChannels(),
                                conv.kernel(),
                                conv.stride(),
                                conv.padding(),
                                signs(conv.latentWeight().data(), channels, conv.fanIn(), negate));
                    case BinaryLinear linear ->
                        new Layer.SignLinear(
                                named.name(),
                                linear.inFeatures(),
                                linear.outFeatures(),
                                signs(linear.latentWeight().data(), channels, linear.fanIn(), negate));
                    case SubBitConv2d sub -> codewordConv(named.name(), sub, negate);
                    default -> throw new IllegalStateException(layer.describe());
                });
        if (keepUnits) {
            float[] scale = new float[channels];
            float[] shift = new float[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = (float) Math.abs(k[c]);
                shift[c] = (float) d[c];
            }
            add(new Layer.Affine(bn != null ? bnName : named.name() + ".amplitude", scale, shift));
            if (repeatSkipped) {
                add(new Layer.Repeat(REPEAT_NAME));
            }
            return next - 1;
        }
        if (repeatSkipped) {
            add(new Layer.Repeat(REPEAT_NAME));
        }
        NamedLayer neuronLayer = (NamedLayer) after;
        NeuronConfig config = ((LIFNode) neuronLayer.layer()).config();
        float[] threshold = new float[channels];
        float[] neuronBias = new float[channels];
        float[] spikeScale = config.output() == OutputMode.REAL ? new float[channels] : null;
        for (int c = 0; c < channels; c++) {
            double absK = Math.abs(k[c]);
            threshold[c] = (float) (config.vth() / absK);
            neuronBias[c] = (float) (d[c] / absK);
            if (spikeScale != null) {
                spikeScale[c] = (float) absK;
            }
        }
        add(new Layer.Neuron(
                neuronLayer.name(),
                channels,
                config.tau(),
                config.output() == OutputMode.REAL,
                threshold,
                neuronBias,
                spikeScale));
        return next;
    }

    /**
     * A sub-bit layer's deployed form: its codebook, the index each kernel selects now (the same
     * selection its forward makes, OS-Quant included) and the channels to negate.
     */
    private static Layer.CodewordConv codewordConv(String name, SubBitConv2d layer, boolean[] negate) {
        Codebook codebook = layer.codebook();
        int[] selection = layer.selection();
        byte[] indices = new byte[selection.length];
        for (int i = 0; i < selection.length; i++) {
            indices[i] = (byte) selection[i];
        }
        return new Layer.CodewordConv(
                name,
                layer.inChannels(),
                layer.outChannels(),
                layer.stride(),
                layer.padding(),
                layer.eta(),
                codebook.patterns().clone(),
                indices,
                negate);
    }

    /** The signs of {@code weights} ({@code rows x rowLength}), rows with {@code negate} set flipped. */
    private static SignMatrix signs(float[] weights, int rows, int rowLength, boolean[] negate) {
        return SignMatrix.ofRows(
                rows,
                rowLength,
                PackedSigns.pack(weights, rows, rowLength, negate).bits());
    }

    private static String describe(Step step) {
        return switch (step) {
            case NamedLayer n -> n.layer().describe();
            case Residual r -> r.block().describe();
        };
    }

    private static SpikebitException undeployable(Step step, String why) {
        return new SpikebitException("cannot deploy layer " + step.name() + " (" + describe(step) + "): " + why);
    }
}
