package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.TensorFiles;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.runtime.RuntimeModelException;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedCodes;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.graph.SignMatrix;
import dev.spikebit.runtime.io.DeployedReader;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.TensorEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployed file, format {@code deployed-1} or {@code deployed-2} (specified in docs/reverb.md): a
 * safetensors file whose {@code __metadata__} holds {@code spikebit.format} and the layer graph as JSON
 * under {@code spikebit.graph}, and whose tensors are the nodes' parameters, named
 * {@code <node name>.<role>}: packed signs as {@code U8 [rows, ceil(rowLength / 8)]}, everything
 * else as {@code F32}.
 *
 * <p>There is one reader of the format, the runtime's {@link DeployedReader}, which trusts nothing
 * in a file (the container against the file length, the graph's fields and kinds, every tensor's
 * type and shape, finite parameters, the shapes from input to classes); {@link #load} reads with
 * it and hands its graph over as a {@link DeployedModel}. Every failure is a
 * {@link SpikebitException} whose message starts with the file.
 */
public final class DeployedFormat {
    public static final String FORMAT_KEY = DeployedReader.FORMAT_KEY;
    public static final String GRAPH_KEY = DeployedReader.GRAPH_KEY;
    public static final String FORMAT = DeployedReader.FORMAT;
    /**
     * {@code deployed-1} plus the sub-bit node {@code codeword_conv} (docs/s2nn.md) and residual
     * connections: the {@code add} node and the {@code inputs} field (docs/reverb.md section 3). A
     * network without either is still written as {@code deployed-1}, byte for byte as before, so
     * readers of the older format keep reading it; this reader reads both.
     */
    public static final String FORMAT_2 = DeployedReader.FORMAT_SUB_BIT;

    private DeployedFormat() {}

    // ------------------------------------------------------------------ writing

    /** Writes {@code model} to {@code path} atomically. */
    public static void save(Path path, DeployedModel model) {
        List<TensorEntry> tensors = new ArrayList<>();
        for (DeployedNode node : model.nodes()) {
            tensorsOf(node)
                    .forEach((role, value) -> tensors.add(
                            switch (value) {
                                case float[] f ->
                                    TensorEntry.ofFloats(node.name() + "." + role, shapeOf(node, role), f);
                                case PackedSigns s ->
                                    TensorEntry.ofUnsignedBytes(
                                            node.name() + "." + role, new long[] {s.rows(), s.rowBytes()}, s.bits());
                                case PackedCodes c ->
                                    TensorEntry.ofUnsignedBytes(
                                            node.name() + "." + role, new long[] {c.bits().length}, c.bits());
                                default -> throw new IllegalStateException(role);
                            }));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(FORMAT_KEY, formatOf(model));
        metadata.put(GRAPH_KEY, graphJson(model));
        TensorFiles.write(path, tensors, metadata);
    }

    /**
     * The oldest format that can hold {@code model}: {@link #FORMAT_2} only with sub-bit nodes or
     * residual connections (nodes that read anything but their predecessor).
     */
    public static String formatOf(DeployedModel model) {
        boolean subBit = model.nodes().stream().anyMatch(n -> n instanceof DeployedNode.CodewordConv);
        return subBit || model.hasBranches() ? FORMAT_2 : FORMAT;
    }

    /** The layer graph as the JSON stored under {@link #GRAPH_KEY}. */
    public static String graphJson(DeployedModel model) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", formatOf(model));
        root.put("model", model.model());
        root.put("timeSteps", model.timeSteps());
        root.put(
                "inputShape",
                java.util.Arrays.stream(model.inputShape()).boxed().toList());
        root.put("numClasses", model.numClasses());
        List<Object> nodes = new ArrayList<>();
        for (DeployedNode node : model.nodes()) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("kind", node.kind());
            n.put("name", node.name());
            List<String> inputs = model.inputs().get(node.name());
            if (inputs != null) {
                n.put("inputs", inputs);
            }
            switch (node) {
                case DeployedNode.Normalize x -> n.put("channels", x.mean().length);
                case DeployedNode.Conv c -> {
                    conv(n, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
                    n.put("bias", c.bias() != null);
                }
                case DeployedNode.SignConv c ->
                    conv(n, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
                case DeployedNode.CodewordConv c -> {
                    conv(n, c.inChannels(), c.outChannels(), 3, c.stride(), c.padding());
                    n.put("eta", c.eta());
                }
                case DeployedNode.Linear l -> {
                    n.put("inFeatures", l.inFeatures());
                    n.put("outFeatures", l.outFeatures());
                    n.put("bias", l.bias() != null);
                }
                case DeployedNode.SignLinear l -> {
                    n.put("inFeatures", l.inFeatures());
                    n.put("outFeatures", l.outFeatures());
                }
                case DeployedNode.Affine a -> n.put("channels", a.scale().length);
                case DeployedNode.Neuron x -> {
                    n.put("channels", x.channels());
                    // A float's exact value as a double: reading it back and narrowing gives the same float.
                    n.put("tau", (double) x.tau());
                    n.put("output", x.output() == OutputMode.REAL ? "real" : "binary");
                    n.put("bias", x.bias() != null);
                    n.put("scale", x.scale() != null);
                }
                case DeployedNode.MaxPool p -> {
                    n.put("kernel", p.kernel());
                    n.put("stride", p.stride());
                }
                case DeployedNode.AvgPool p -> {
                    n.put("kernel", p.kernel());
                    n.put("stride", p.stride());
                }
                case DeployedNode.Add a -> {}
                case DeployedNode.Flatten f -> {}
                case DeployedNode.Repeat r -> {}
                case DeployedNode.MeanOverTime m -> {}
            }
            nodes.add(n);
        }
        root.put("nodes", nodes);
        return Json.write(root);
    }

    private static void conv(Map<String, Object> n, int in, int out, int kernel, int stride, int padding) {
        n.put("inChannels", in);
        n.put("outChannels", out);
        n.put("kernel", kernel);
        n.put("stride", stride);
        n.put("padding", padding);
    }

    /** The node's tensors by role, in file-name order: {@code float[]} or {@link PackedSigns}. */
    static Map<String, Object> tensorsOf(DeployedNode node) {
        Map<String, Object> t = new LinkedHashMap<>();
        switch (node) {
            case DeployedNode.Normalize n -> {
                t.put("mean", n.mean());
                t.put("std", n.std());
            }
            case DeployedNode.Conv c -> {
                t.put("weight", c.weight());
                putIfPresent(t, "bias", c.bias());
            }
            case DeployedNode.SignConv c -> t.put("signs", c.signs());
            case DeployedNode.CodewordConv c -> {
                t.put("codebook", c.codebook());
                t.put("indices", c.indices());
                t.put("negate", c.negate());
            }
            case DeployedNode.Linear l -> {
                t.put("weight", l.weight());
                putIfPresent(t, "bias", l.bias());
            }
            case DeployedNode.SignLinear l -> t.put("signs", l.signs());
            case DeployedNode.Affine a -> {
                t.put("scale", a.scale());
                t.put("shift", a.shift());
            }
            case DeployedNode.Neuron n -> {
                t.put("threshold", n.threshold());
                putIfPresent(t, "bias", n.bias());
                putIfPresent(t, "scale", n.scale());
            }
            default -> {}
        }
        return t;
    }

    private static void putIfPresent(Map<String, Object> t, String role, float[] value) {
        if (value != null) {
            t.put(role, value);
        }
    }

    /** The shape of an F32 tensor of a node. */
    private static long[] shapeOf(DeployedNode node, String role) {
        return switch (node) {
            case DeployedNode.Conv c
            when role.equals("weight") -> new long[] {c.outChannels(), c.inChannels(), c.kernel(), c.kernel()};
            case DeployedNode.Linear l when role.equals("weight") -> new long[] {l.outFeatures(), l.inFeatures()};
            default -> new long[] {((float[]) tensorsOf(node).get(role)).length};
        };
    }

    // ------------------------------------------------------------------ reading

    /** Reads and checks a deployed file (with the runtime's reader). */
    public static DeployedModel load(Path path) {
        Graph graph;
        try {
            graph = DeployedReader.read(path);
        } catch (RuntimeModelException e) {
            throw new SpikebitException(e.getMessage(), e);
        }
        List<DeployedNode> nodes = new ArrayList<>();
        for (Layer layer : graph.layers()) {
            nodes.add(node(layer));
        }
        try {
            return new DeployedModel(
                    graph.model(), graph.timeSteps(), graph.inputShape(), graph.numClasses(), nodes, graph.inputs());
        } catch (SpikebitException e) {
            throw new SpikebitException(path + ": " + e.getMessage(), e);
        }
    }

    /** The runtime's layer as a node of the training side's deployed model (the same data). */
    private static DeployedNode node(Layer layer) {
        return switch (layer) {
            case Layer.Normalize n -> new DeployedNode.Normalize(n.name(), n.mean(), n.std());
            case Layer.Conv c ->
                new DeployedNode.Conv(
                        c.name(),
                        c.inChannels(),
                        c.outChannels(),
                        c.kernel(),
                        c.stride(),
                        c.padding(),
                        c.weight(),
                        c.bias());
            case Layer.SignConv c ->
                new DeployedNode.SignConv(
                        c.name(),
                        c.inChannels(),
                        c.outChannels(),
                        c.kernel(),
                        c.stride(),
                        c.padding(),
                        signs(c.signs()));
            case Layer.CodewordConv c -> {
                int[] indices = new int[c.indices().length];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = c.indices()[i] & 0xFF;
                }
                int[] negate = new int[c.outChannels()];
                for (int o = 0; o < negate.length; o++) {
                    negate[o] = c.negate()[o] ? 1 : 0;
                }
                yield new DeployedNode.CodewordConv(
                        c.name(),
                        c.inChannels(),
                        c.outChannels(),
                        c.stride(),
                        c.padding(),
                        c.eta(),
                        PackedCodes.pack(c.codebook(), 9),
                        PackedCodes.pack(indices, c.eta()),
                        PackedCodes.pack(negate, 1));
            }
            case Layer.Linear l ->
                new DeployedNode.Linear(l.name(), l.inFeatures(), l.outFeatures(), l.weight(), l.bias());
            case Layer.SignLinear l ->
                new DeployedNode.SignLinear(l.name(), l.inFeatures(), l.outFeatures(), signs(l.signs()));
            case Layer.Affine a -> new DeployedNode.Affine(a.name(), a.scale(), a.shift());
            case Layer.Neuron n ->
                new DeployedNode.Neuron(
                        n.name(),
                        n.tau(),
                        n.realOutput() ? OutputMode.REAL : OutputMode.BINARY,
                        n.threshold(),
                        n.bias(),
                        n.scale());
            case Layer.MaxPool p -> new DeployedNode.MaxPool(p.name(), p.kernel(), p.stride());
            case Layer.AvgPool p -> new DeployedNode.AvgPool(p.name(), p.kernel(), p.stride());
            case Layer.Add a -> new DeployedNode.Add(a.name());
            case Layer.Flatten f -> new DeployedNode.Flatten(f.name());
            case Layer.Repeat r -> new DeployedNode.Repeat(r.name());
            case Layer.MeanOverTime m -> new DeployedNode.MeanOverTime(m.name());
        };
    }

    private static PackedSigns signs(SignMatrix m) {
        return new PackedSigns(m.rows(), m.rowLength(), m.rowBits());
    }
}
