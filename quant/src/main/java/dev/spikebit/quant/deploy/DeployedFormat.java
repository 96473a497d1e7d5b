package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.TensorFiles;
import dev.spikebit.runtime.RuntimeModelException;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedCodes;
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
 * it. Both sides hold the network as the runtime's layer {@link Graph}. Every failure is a
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
    public static void save(Path path, Graph model) {
        List<TensorEntry> tensors = new ArrayList<>();
        for (Layer node : model.layers()) {
            tensorsOf(node)
                    .forEach((role, value) -> tensors.add(
                            switch (value) {
                                case float[] f ->
                                    TensorEntry.ofFloats(node.name() + "." + role, shapeOf(node, role), f);
                                case SignMatrix s ->
                                    TensorEntry.ofUnsignedBytes(
                                            node.name() + "." + role, new long[] {s.rows(), s.rowBytes()}, s.rowBits());
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
    public static String formatOf(Graph model) {
        boolean subBit = model.layers().stream().anyMatch(n -> n instanceof Layer.CodewordConv);
        return subBit || model.hasBranches() ? FORMAT_2 : FORMAT;
    }

    /** The layer graph as the JSON stored under {@link #GRAPH_KEY}. */
    public static String graphJson(Graph model) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", formatOf(model));
        root.put("model", model.model());
        root.put("timeSteps", model.timeSteps());
        root.put(
                "inputShape",
                java.util.Arrays.stream(model.inputShape()).boxed().toList());
        root.put("numClasses", model.numClasses());
        List<Object> nodes = new ArrayList<>();
        for (Layer node : model.layers()) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("kind", node.kind());
            n.put("name", node.name());
            List<String> inputs = model.inputs().get(node.name());
            if (inputs != null) {
                n.put("inputs", inputs);
            }
            switch (node) {
                case Layer.Normalize x -> n.put("channels", x.mean().length);
                case Layer.Conv c -> {
                    conv(n, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
                    n.put("bias", c.bias() != null);
                }
                case Layer.SignConv c -> conv(n, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
                case Layer.CodewordConv c -> {
                    conv(n, c.inChannels(), c.outChannels(), 3, c.stride(), c.padding());
                    n.put("eta", c.eta());
                }
                case Layer.Linear l -> {
                    n.put("inFeatures", l.inFeatures());
                    n.put("outFeatures", l.outFeatures());
                    n.put("bias", l.bias() != null);
                }
                case Layer.SignLinear l -> {
                    n.put("inFeatures", l.inFeatures());
                    n.put("outFeatures", l.outFeatures());
                }
                case Layer.Affine a -> n.put("channels", a.scale().length);
                case Layer.Neuron x -> {
                    n.put("channels", x.channels());
                    // A float's exact value as a double: reading it back and narrowing gives the same float.
                    n.put("tau", (double) x.tau());
                    n.put("output", x.realOutput() ? "real" : "binary");
                    n.put("bias", x.bias() != null);
                    n.put("scale", x.scale() != null);
                }
                case Layer.MaxPool p -> {
                    n.put("kernel", p.kernel());
                    n.put("stride", p.stride());
                }
                case Layer.AvgPool p -> {
                    n.put("kernel", p.kernel());
                    n.put("stride", p.stride());
                }
                case Layer.Add a -> {}
                case Layer.Flatten f -> {}
                case Layer.Repeat r -> {}
                case Layer.MeanOverTime m -> {}
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

    /**
     * The node's tensors by role, in file-name order: {@code float[]}, {@link SignMatrix} or
     * {@link PackedCodes} (docs/s2nn.md 6: the codebook's 9-bit patterns, eta-bit indices, one
     * negation bit per output channel).
     */
    static Map<String, Object> tensorsOf(Layer node) {
        Map<String, Object> t = new LinkedHashMap<>();
        switch (node) {
            case Layer.Normalize n -> {
                t.put("mean", n.mean());
                t.put("std", n.std());
            }
            case Layer.Conv c -> {
                t.put("weight", c.weight());
                putIfPresent(t, "bias", c.bias());
            }
            case Layer.SignConv c -> t.put("signs", c.signs());
            case Layer.CodewordConv c -> {
                int[] indices = new int[c.indices().length];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = c.indices()[i] & 0xFF;
                }
                int[] negate = new int[c.outChannels()];
                for (int o = 0; o < negate.length; o++) {
                    negate[o] = c.negate()[o] ? 1 : 0;
                }
                t.put("codebook", PackedCodes.pack(c.codebook(), 9));
                t.put("indices", PackedCodes.pack(indices, c.eta()));
                t.put("negate", PackedCodes.pack(negate, 1));
            }
            case Layer.Linear l -> {
                t.put("weight", l.weight());
                putIfPresent(t, "bias", l.bias());
            }
            case Layer.SignLinear l -> t.put("signs", l.signs());
            case Layer.Affine a -> {
                t.put("scale", a.scale());
                t.put("shift", a.shift());
            }
            case Layer.Neuron n -> {
                t.put("threshold", n.threshold());
                putIfPresent(t, "bias", n.bias());
                putIfPresent(t, "scale", n.scale());
            }
            default -> {}
        }
        return t;
    }

    /** Bytes of the node's parameters in the file, its tensors' data (0 for parameter-free nodes). */
    public static long parameterBytes(Layer node) {
        long bytes = 0;
        for (Object value : tensorsOf(node).values()) {
            bytes += switch (value) {
                case float[] f -> 4L * f.length;
                case SignMatrix m -> m.rowBits().length;
                case PackedCodes c -> c.bits().length;
                default -> throw new IllegalStateException(value.getClass().getName());
            };
        }
        return bytes;
    }

    private static void putIfPresent(Map<String, Object> t, String role, float[] value) {
        if (value != null) {
            t.put(role, value);
        }
    }

    /** The shape of an F32 tensor of a node. */
    private static long[] shapeOf(Layer node, String role) {
        return switch (node) {
            case Layer.Conv c
            when role.equals("weight") -> new long[] {c.outChannels(), c.inChannels(), c.kernel(), c.kernel()};
            case Layer.Linear l when role.equals("weight") -> new long[] {l.outFeatures(), l.inFeatures()};
            default -> new long[] {((float[]) tensorsOf(node).get(role)).length};
        };
    }

    // ------------------------------------------------------------------ reading

    /** Reads and checks a deployed file with the runtime's reader. */
    public static Graph load(Path path) {
        try {
            return DeployedReader.read(path);
        } catch (RuntimeModelException e) {
            throw new SpikebitException(e.getMessage(), e);
        }
    }
}
