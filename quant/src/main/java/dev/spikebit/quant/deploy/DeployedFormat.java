package dev.spikebit.quant.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.DType;
import dev.spikebit.core.io.SafeTensors;
import dev.spikebit.core.io.SafeTensorsFile;
import dev.spikebit.core.io.TensorEntry;
import dev.spikebit.core.neuron.kernel.OutputMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The deployed file, format {@code deployed-1} or {@code deployed-2} (specified in docs/reverb.md): a
 * safetensors file whose {@code __metadata__} holds {@code spikebit.format} and the layer graph as JSON
 * under {@code spikebit.graph}, and whose tensors are the nodes' parameters, named
 * {@code <node name>.<role>}: packed signs as {@code U8 [rows, ceil(rowLength / 8)]}, everything
 * else as {@code F32}.
 *
 * <p>The reader trusts nothing: the safetensors reader checks the container against the file
 * length, and this class checks the graph (known format and node kinds, every field present with
 * the right type, no unknown field) and that every tensor the graph needs is in the file with the
 * expected type and shape, and nothing else is. Every failure is a {@link SpikebitException}
 * whose message starts with the file.
 */
public final class DeployedFormat {
    public static final String FORMAT_KEY = "spikebit.format";
    public static final String GRAPH_KEY = "spikebit.graph";
    public static final String FORMAT = "deployed-1";
    /**
     * {@code deployed-1} plus the sub-bit node {@code codeword_conv} (docs/s2nn.md) and residual
     * connections: the {@code add} node and the {@code inputs} field (docs/reverb.md section 3). A
     * network without either is still written as {@code deployed-1}, byte for byte as before, so
     * readers of the older format keep reading it; this reader reads both.
     */
    public static final String FORMAT_2 = "deployed-2";

    private static final ObjectMapper JSON = new ObjectMapper();

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
        SafeTensors.write(path, tensors, metadata);
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
        ObjectNode root = JSON.createObjectNode();
        root.put("format", formatOf(model));
        root.put("model", model.model());
        root.put("timeSteps", model.timeSteps());
        ArrayNode input = root.putArray("inputShape");
        for (int d : model.inputShape()) {
            input.add(d);
        }
        root.put("numClasses", model.numClasses());
        ArrayNode nodes = root.putArray("nodes");
        for (DeployedNode node : model.nodes()) {
            ObjectNode n = nodes.addObject();
            n.put("kind", node.kind());
            n.put("name", node.name());
            List<String> inputs = model.inputs().get(node.name());
            if (inputs != null) {
                ArrayNode names = n.putArray("inputs");
                inputs.forEach(names::add);
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
        }
        return root.toString();
    }

    private static void conv(ObjectNode n, int in, int out, int kernel, int stride, int padding) {
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

    /** Reads and checks a deployed file. */
    public static DeployedModel load(Path path) {
        SafeTensorsFile file = SafeTensors.read(path);
        String format = file.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format) && !FORMAT_2.equals(format)) {
            throw new SpikebitException(path + ": not a deployed spikebit model (metadata " + FORMAT_KEY + " is "
                    + (format == null ? "missing" : "\"" + format + "\"") + "; this reader knows \"" + FORMAT
                    + "\" and \"" + FORMAT_2 + "\")");
        }
        String graph = file.metadata().get(GRAPH_KEY);
        if (graph == null) {
            throw new SpikebitException(path + ": no layer graph (metadata " + GRAPH_KEY + " is missing)");
        }
        try {
            return new Reader(path, file, format).read(graph);
        } catch (SpikebitException e) {
            if (e.getMessage().startsWith(path.toString())) {
                throw e;
            }
            throw new SpikebitException(path + ": " + e.getMessage(), e);
        }
    }

    /** Parses one file's graph and collects its tensors, checking each against the graph. */
    private static final class Reader {
        private final Path path;
        private final SafeTensorsFile file;
        private final Set<String> used = new LinkedHashSet<>();
        private final String format;
        /** The {@code inputs} fields read so far, by node name. */
        private final Map<String, List<String>> inputs = new LinkedHashMap<>();

        Reader(Path path, SafeTensorsFile file, String format) {
            this.path = path;
            this.file = file;
            this.format = format;
        }

        DeployedModel read(String graph) {
            JsonNode root;
            try {
                root = JSON.readTree(graph);
            } catch (JsonProcessingException e) {
                throw fail("the layer graph (" + GRAPH_KEY + ") is not valid JSON: " + e.getOriginalMessage());
            }
            if (root == null || !root.isObject()) {
                throw fail("the layer graph (" + GRAPH_KEY + ") must be a JSON object");
            }
            Fields top = new Fields(root, "the layer graph");
            String graphFormat = top.text("format");
            if (!graphFormat.equals(format)) {
                throw fail("the layer graph has format \"" + graphFormat + "\" but the file's metadata says \"" + format
                        + "\"");
            }
            String model = top.text("model");
            int timeSteps = top.integer("timeSteps");
            int[] inputShape = top.integers("inputShape");
            int numClasses = top.integer("numClasses");
            JsonNode nodesJson = top.array("nodes");
            top.done();
            List<DeployedNode> nodes = new ArrayList<>();
            for (int i = 0; i < nodesJson.size(); i++) {
                nodes.add(node(i, nodesJson.get(i)));
            }
            // The inputs themselves (that they exist, come earlier, agree in shape) are checked by DeployedModel.
            for (String name : file.names()) {
                if (!used.contains(name)) {
                    throw fail("tensor \"" + name + "\" belongs to no node of the layer graph");
                }
            }
            return new DeployedModel(model, timeSteps, inputShape, numClasses, nodes, inputs);
        }

        private DeployedNode node(int index, JsonNode json) {
            if (json == null || !json.isObject()) {
                throw fail("node " + index + " of the layer graph is not a JSON object");
            }
            String where = "node " + index;
            Fields f = new Fields(json, where);
            String kind = f.text("kind");
            String name = f.text("name");
            f.where = "node " + index + " (\"" + name + "\", " + kind + ")";
            List<String> named = f.optionalTexts("inputs");
            if (named != null) {
                requireFormat2(f, "field \"inputs\"");
                inputs.put(name, named);
            }
            DeployedNode node = switch (kind) {
                case "normalize" -> {
                    int channels = f.integer("channels");
                    yield new DeployedNode.Normalize(
                            name, floats(f, name, "mean", channels), floats(f, name, "std", channels));
                }
                case "conv" -> {
                    int in = f.integer("inChannels");
                    int out = f.integer("outChannels");
                    int k = f.integer("kernel");
                    int stride = f.integer("stride");
                    int padding = f.integer("padding");
                    boolean bias = f.bool("bias");
                    yield new DeployedNode.Conv(
                            name,
                            in,
                            out,
                            k,
                            stride,
                            padding,
                            floats(f, name, "weight", (long) out * in * k * k, out, in, k, k),
                            bias ? floats(f, name, "bias", out) : null);
                }
                case "sign_conv" -> {
                    int in = f.integer("inChannels");
                    int out = f.integer("outChannels");
                    int k = f.integer("kernel");
                    int stride = f.integer("stride");
                    int padding = f.integer("padding");
                    yield new DeployedNode.SignConv(
                            name, in, out, k, stride, padding, signs(f, name, out, (long) in * k * k));
                }
                case "codeword_conv" -> {
                    requireFormat2(f, "codeword_conv");
                    int in = f.integer("inChannels");
                    int out = f.integer("outChannels");
                    int k = f.integer("kernel");
                    int stride = f.integer("stride");
                    int padding = f.integer("padding");
                    int eta = f.integer("eta");
                    if (k != 3) {
                        throw fail(f.where + ": kernel is " + k + ", codeword_conv is 3x3 only");
                    }
                    if (eta < 1 || eta > 8) {
                        throw fail(f.where + ": eta is " + eta + ", expected 1..8");
                    }
                    yield new DeployedNode.CodewordConv(
                            name,
                            in,
                            out,
                            stride,
                            padding,
                            eta,
                            codes(f, name, "codebook", 1 << eta, 9),
                            codes(f, name, "indices", (long) out * in, eta),
                            codes(f, name, "negate", out, 1));
                }
                case "linear" -> {
                    int in = f.integer("inFeatures");
                    int out = f.integer("outFeatures");
                    boolean bias = f.bool("bias");
                    yield new DeployedNode.Linear(
                            name,
                            in,
                            out,
                            floats(f, name, "weight", (long) out * in, out, in),
                            bias ? floats(f, name, "bias", out) : null);
                }
                case "sign_linear" -> {
                    int in = f.integer("inFeatures");
                    int out = f.integer("outFeatures");
                    yield new DeployedNode.SignLinear(name, in, out, signs(f, name, out, in));
                }
                case "affine" -> {
                    int channels = f.integer("channels");
                    yield new DeployedNode.Affine(
                            name, floats(f, name, "scale", channels), floats(f, name, "shift", channels));
                }
                case "neuron" -> {
                    int channels = f.integer("channels");
                    float tau = f.number("tau");
                    String output = f.text("output");
                    OutputMode mode = switch (output) {
                        case "binary" -> OutputMode.BINARY;
                        case "real" -> OutputMode.REAL;
                        default -> throw fail(f.where + ": output is \"" + output + "\", expected binary or real");
                    };
                    if (!(tau >= 0f && tau <= 1f)) {
                        throw fail(f.where + ": tau is " + tau + ", expected a number in [0, 1]");
                    }
                    boolean bias = f.bool("bias");
                    boolean scale = f.bool("scale");
                    yield new DeployedNode.Neuron(
                            name,
                            tau,
                            mode,
                            floats(f, name, "threshold", channels),
                            bias ? floats(f, name, "bias", channels) : null,
                            scale ? floats(f, name, "scale", channels) : null);
                }
                case "max_pool" -> new DeployedNode.MaxPool(name, f.integer("kernel"), f.integer("stride"));
                case "avg_pool" -> new DeployedNode.AvgPool(name, f.integer("kernel"), f.integer("stride"));
                case "add" -> {
                    requireFormat2(f, "add");
                    if (named == null) {
                        throw fail(f.where + ": missing field \"inputs\" (the names of the two nodes it sums)");
                    }
                    yield new DeployedNode.Add(name);
                }
                case "flatten" -> new DeployedNode.Flatten(name);
                case "repeat" -> new DeployedNode.Repeat(name);
                case "mean_over_time" -> new DeployedNode.MeanOverTime(name);
                default ->
                    throw fail(where + " (\"" + name + "\") has unknown kind \"" + kind + "\"; " + format
                            + " knows normalize, conv, sign_conv, " + (format.equals(FORMAT_2) ? "codeword_conv, " : "")
                            + "linear, sign_linear, affine, neuron, max_pool, avg_pool, "
                            + (format.equals(FORMAT_2) ? "add, " : "") + "flatten, repeat, mean_over_time");
            };
            f.done();
            return node;
        }

        private void requireFormat2(Fields f, String what) {
            if (!format.equals(FORMAT_2)) {
                throw fail(f.where + ": " + what + " needs format " + FORMAT_2 + ", the file is " + format);
            }
        }

        /** The F32 tensor {@code <node>.<role>} of {@code count} elements and the given shape ([count] by default). */
        private float[] floats(Fields f, String node, String role, long count, int... shape) {
            long[] expected = shape.length == 0
                    ? new long[] {count}
                    : Arrays.stream(shape).asLongStream().toArray();
            TensorEntry t = tensor(f, node + "." + role, DType.F32, expected);
            return t.toFloats();
        }

        /** The U8 tensor {@code <node>.signs} of {@code rows} rows of {@code rowLength} packed signs. */
        private PackedSigns signs(Fields f, String node, int rows, long rowLength) {
            if (rowLength > Integer.MAX_VALUE) {
                throw fail(f.where + ": " + rowLength + " weights per row is too many");
            }
            long rowBytes = PackedSigns.rowBytes((int) rowLength);
            TensorEntry t = tensor(f, node + ".signs", DType.U8, new long[] {rows, rowBytes});
            PackedSigns signs = new PackedSigns(rows, (int) rowLength, t.toBytes());
            int bad = signs.firstRowWithPaddingSet();
            if (bad >= 0) {
                throw fail("tensor \"" + node + ".signs\": row " + bad + " has padding bits set after its " + rowLength
                        + " signs (they must be 0)");
            }
            return signs;
        }

        /** The U8 tensor {@code <node>.<role>} of {@code count} packed codes of {@code width} bits. */
        private PackedCodes codes(Fields f, String node, String role, long count, int width) {
            if (count > Integer.MAX_VALUE) {
                throw fail(f.where + ": " + count + " codes is too many");
            }
            TensorEntry t = tensor(f, node + "." + role, DType.U8, new long[] {PackedCodes.bytes(count, width)});
            PackedCodes codes = new PackedCodes((int) count, width, t.toBytes());
            if (!codes.paddingClear()) {
                throw fail("tensor \"" + node + "." + role + "\" has padding bits set after its " + count + " codes of "
                        + width + " bits (they must be 0)");
            }
            return codes;
        }

        private TensorEntry tensor(Fields f, String name, DType dtype, long[] shape) {
            TensorEntry t = file.tensors().get(name);
            if (t == null) {
                throw fail(f.where + " needs tensor \"" + name + "\" (" + dtype + " " + Arrays.toString(shape)
                        + "), which the file does not hold");
            }
            if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
                throw fail("tensor \"" + name + "\" is " + t.dtype() + " " + Arrays.toString(t.shape()) + "; " + f.where
                        + " needs " + dtype + " " + Arrays.toString(shape));
            }
            used.add(name);
            return t;
        }

        private SpikebitException fail(String message) {
            return new SpikebitException(path + ": " + message);
        }

        /** Typed access to a JSON object's fields that fails naming the field, and notices unknown fields. */
        private final class Fields {
            private final JsonNode json;
            private final Set<String> read = new LinkedHashSet<>();
            private String where;

            Fields(JsonNode json, String where) {
                this.json = json;
                this.where = where;
            }

            private JsonNode field(String key, String expected) {
                read.add(key);
                JsonNode v = json.get(key);
                if (v == null || v.isNull()) {
                    throw fail(where + ": missing field \"" + key + "\" (" + expected + ")");
                }
                return v;
            }

            String text(String key) {
                JsonNode v = field(key, "a string");
                if (!v.isTextual()) {
                    throw fail(where + ": field \"" + key + "\" is " + v + ", expected a string");
                }
                return v.asText();
            }

            int integer(String key) {
                JsonNode v = field(key, "a whole number");
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                    throw fail(where + ": field \"" + key + "\" is " + v + ", expected a whole number >= 0");
                }
                return v.intValue();
            }

            float number(String key) {
                JsonNode v = field(key, "a number");
                if (!v.isNumber()) {
                    throw fail(where + ": field \"" + key + "\" is " + v + ", expected a number");
                }
                return (float) v.doubleValue();
            }

            boolean bool(String key) {
                JsonNode v = field(key, "true or false");
                if (!v.isBoolean()) {
                    throw fail(where + ": field \"" + key + "\" is " + v + ", expected true or false");
                }
                return v.booleanValue();
            }

            JsonNode array(String key) {
                JsonNode v = field(key, "an array");
                if (!v.isArray()) {
                    throw fail(where + ": field \"" + key + "\" is " + v + ", expected an array");
                }
                return v;
            }

            int[] integers(String key) {
                JsonNode v = array(key);
                int[] out = new int[v.size()];
                for (int i = 0; i < out.length; i++) {
                    JsonNode e = v.get(i);
                    if (!e.isIntegralNumber() || !e.canConvertToInt() || e.intValue() < 1) {
                        throw fail(where + ": field \"" + key + "\" holds " + e + ", expected whole numbers >= 1");
                    }
                    out[i] = e.intValue();
                }
                return out;
            }

            /** An array of strings, or null when the field is absent. */
            List<String> optionalTexts(String key) {
                if (!json.has(key)) {
                    return null;
                }
                JsonNode v = array(key);
                List<String> out = new ArrayList<>();
                for (JsonNode e : v) {
                    if (!e.isTextual()) {
                        throw fail(where + ": field \"" + key + "\" holds " + e + ", expected node names (strings)");
                    }
                    out.add(e.asText());
                }
                return out;
            }

            /** Fails on a field nobody asked for: a typo, or a newer format this reader does not know. */
            void done() {
                for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!read.contains(key)) {
                        throw fail(where + ": unknown field \"" + key + "\"");
                    }
                }
            }
        }
    }
}
