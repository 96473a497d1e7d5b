package dev.spikebit.runtime.io;

import dev.spikebit.runtime.RuntimeModelException;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedCodes;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.graph.SignMatrix;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a deployed model file, format {@code deployed-1} (docs/reverb.md 4) or {@code deployed-2}
 * ({@code deployed-1} plus the sub-bit node {@code codeword_conv}, docs/s2nn.md 6, and residual
 * connections: the {@code add} node and the {@code inputs} field, docs/reverb.md 3), and trusts
 * nothing in it. In order: the safetensors container ({@link SafeTensors} checks every declared
 * size and offset against the file before anything is allocated), the format tag (any other version
 * is refused by name; the graph's own tag must agree with the metadata's), the graph JSON (every
 * field present with its type, no unknown field, every node kind known, else named with its index;
 * a {@code codeword_conv}, an {@code add} or an {@code inputs} field only in {@code deployed-2};
 * T at most {@link Graph#MAX_TIME_STEPS}), every tensor the graph calls for present with
 * exactly its dtype and shape, and no other tensor, every F32 value finite, the padding bits of packed signs and codes, the
 * codes themselves (distinct codebook patterns, indices inside the codebook), then the shapes
 * flowing from the input to the classes ({@link Graph}). The container's checks bound every tensor by the
 * file's length, so no read allocates more than the file holds.
 * Every failure is a {@link RuntimeModelException} whose message starts with the file.
 */
public final class DeployedReader {
    public static final String FORMAT_KEY = "spikebit.format";
    public static final String GRAPH_KEY = "spikebit.graph";
    public static final String FORMAT = "deployed-1";
    /** {@link #FORMAT} plus the sub-bit node {@code codeword_conv} (docs/s2nn.md 6) and residual {@code add}. */
    public static final String FORMAT_SUB_BIT = "deployed-2";

    static final String KINDS = "normalize, conv, sign_conv, linear, sign_linear, affine, neuron, max_pool, avg_pool, "
            + "flatten, repeat, mean_over_time";

    private final Path path;
    private final SafeTensorsFile file;
    private final Set<String> used = new HashSet<>();
    /** The {@code inputs} fields read so far, by node name. */
    private final Map<String, List<String>> inputs = new LinkedHashMap<>();

    private String format;

    private DeployedReader(Path path, SafeTensorsFile file) {
        this.path = path;
        this.file = file;
    }

    /** Reads and checks {@code path}. */
    public static Graph read(Path path) {
        return new DeployedReader(path, SafeTensors.read(path)).graph();
    }

    private Graph graph() {
        format = file.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format) && !FORMAT_SUB_BIT.equals(format)) {
            throw fail("not a deployed spikebit model: metadata " + FORMAT_KEY + " is "
                    + (format == null ? "missing" : "\"" + format + "\"") + "; this runtime reads \"" + FORMAT
                    + "\" and \"" + FORMAT_SUB_BIT + "\"");
        }
        String graphJson = file.metadata().get(GRAPH_KEY);
        if (graphJson == null) {
            throw fail("no layer graph (metadata " + GRAPH_KEY + " is missing)");
        }
        Object root;
        try {
            root = Json.parse(graphJson);
        } catch (IllegalArgumentException e) {
            throw fail("the layer graph (" + GRAPH_KEY + ") is not valid JSON: " + e.getMessage());
        }
        Fields top = new Fields(root, "the layer graph");
        String graphFormat = top.text("format");
        if (!graphFormat.equals(format)) {
            throw fail("the layer graph has format \"" + graphFormat + "\" but the file's metadata says \"" + format
                    + "\"");
        }
        String model = top.text("model");
        int timeSteps = top.integer("timeSteps");
        if (timeSteps < 1 || timeSteps > Graph.MAX_TIME_STEPS) {
            // Checked before any tensor is read: a damaged T must not cost a billion passes later.
            throw fail("the layer graph has timeSteps " + timeSteps + ", expected 1.." + Graph.MAX_TIME_STEPS);
        }
        int[] inputShape = top.dimensions("inputShape");
        int numClasses = top.integer("numClasses");
        List<?> nodes = top.array("nodes");
        top.done();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            layers.add(layer(i, nodes.get(i)));
        }
        for (String name : file.tensors().keySet()) {
            if (!used.contains(name)) {
                throw fail("tensor \"" + name + "\" belongs to no node of the layer graph");
            }
        }
        Graph graph;
        try {
            graph = Graph.of(model, timeSteps, inputShape, numClasses, layers, inputs);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        return graph;
    }

    private Layer layer(int index, Object json) {
        if (!(json instanceof Map<?, ?>)) {
            throw fail("node " + index + " of the layer graph is not a JSON object");
        }
        Fields f = new Fields(json, "node " + index);
        String kind = f.text("kind");
        String name = f.text("name");
        f.where = "node " + index + " (\"" + name + "\", " + kind + ")";
        List<String> named = f.optionalNames("inputs");
        if (named != null) {
            requireFormat2(f, "field \"inputs\" (a residual connection, docs/reverb.md 3)");
            inputs.put(name, named);
        }
        Layer layer = switch (kind) {
            case "normalize" -> {
                int c = f.integer("channels");
                yield new Layer.Normalize(name, floats(f, name, "mean", c), floats(f, name, "std", c));
            }
            case "conv" -> {
                int in = f.positive("inChannels");
                int out = f.positive("outChannels");
                int k = f.positive("kernel");
                int stride = f.positive("stride");
                int padding = f.integer("padding");
                boolean bias = f.bool("bias");
                yield new Layer.Conv(
                        name,
                        in,
                        out,
                        k,
                        stride,
                        padding,
                        floats(f, name, "weight", out, in, k, k),
                        bias ? floats(f, name, "bias", out) : null);
            }
            case "sign_conv" -> {
                int in = f.positive("inChannels");
                int out = f.positive("outChannels");
                int k = f.positive("kernel");
                int stride = f.positive("stride");
                int padding = f.integer("padding");
                yield new Layer.SignConv(name, in, out, k, stride, padding, signs(f, name, out, (long) in * k * k));
            }
            case "codeword_conv" -> codewordConv(f, name);
            case "linear" -> {
                int in = f.positive("inFeatures");
                int out = f.positive("outFeatures");
                boolean bias = f.bool("bias");
                yield new Layer.Linear(
                        name, in, out, floats(f, name, "weight", out, in), bias ? floats(f, name, "bias", out) : null);
            }
            case "sign_linear" -> {
                int in = f.positive("inFeatures");
                int out = f.positive("outFeatures");
                yield new Layer.SignLinear(name, in, out, signs(f, name, out, in));
            }
            case "affine" -> {
                int c = f.integer("channels");
                yield new Layer.Affine(name, floats(f, name, "scale", c), floats(f, name, "shift", c));
            }
            case "neuron" -> {
                int c = f.integer("channels");
                float tau = f.number("tau");
                if (!(tau >= 0f && tau <= 1f)) {
                    throw fail(f.where + ": tau is " + tau + ", expected a number in [0, 1]");
                }
                String output = f.text("output");
                boolean real = switch (output) {
                    case "real" -> true;
                    case "binary" -> false;
                    default -> throw fail(f.where + ": output is \"" + output + "\", expected binary or real");
                };
                boolean bias = f.bool("bias");
                boolean scale = f.bool("scale");
                if (scale && !real) {
                    throw fail(f.where + ": a spike scale needs output \"real\"");
                }
                yield new Layer.Neuron(
                        name,
                        c,
                        tau,
                        real,
                        floats(f, name, "threshold", c),
                        bias ? floats(f, name, "bias", c) : null,
                        scale ? floats(f, name, "scale", c) : null);
            }
            case "max_pool" -> new Layer.MaxPool(name, f.positive("kernel"), f.positive("stride"));
            case "avg_pool" -> {
                int k = f.integer("kernel");
                int s = f.integer("stride");
                if ((k == 0) != (s == 0)) {
                    throw fail(
                            f.where + ": kernel " + k + " and stride " + s + " must both be 0 (global) or both >= 1");
                }
                yield new Layer.AvgPool(name, k, s);
            }
            case "add" -> {
                requireFormat2(f, "add");
                if (named == null) {
                    throw fail(f.where + ": missing field \"inputs\" (the names of the two nodes it sums)");
                }
                yield new Layer.Add(name);
            }
            case "flatten" -> new Layer.Flatten(name);
            case "repeat" -> new Layer.Repeat(name);
            case "mean_over_time" -> new Layer.MeanOverTime(name);
            default ->
                throw fail("node " + index + " (\"" + name + "\") has unknown kind \"" + kind + "\"; " + format
                        + " knows " + KINDS + (format.equals(FORMAT_SUB_BIT) ? ", codeword_conv, add" : ""));
        };
        f.done();
        return layer;
    }

    /**
     * A sub-bit convolution (docs/s2nn.md 6): only in {@code deployed-2}, kernel 3, eta 1..8, its
     * three code streams of exactly the sizes the fields give, padding bits 0, then the codes
     * checked by {@link Layer.CodewordConv} (distinct patterns, indices inside the codebook).
     */
    private Layer codewordConv(Fields f, String name) {
        requireFormat2(f, "codeword_conv");
        int in = f.positive("inChannels");
        int out = f.positive("outChannels");
        int k = f.positive("kernel");
        int stride = f.positive("stride");
        int padding = f.integer("padding");
        int eta = f.integer("eta");
        if (k != 3) {
            throw fail(f.where + ": kernel is " + k + ", a codeword_conv is 3x3 only");
        }
        if (eta < 1 || eta > 8) {
            throw fail(f.where + ": eta is " + eta + ", expected 1..8");
        }
        long kernels = (long) out * in;
        if (kernels > Integer.MAX_VALUE - 8) {
            throw fail(f.where + ": " + out + " x " + in + " kernels is too many");
        }
        int codewords = 1 << eta;
        int[] codebook = codes(f, name, "codebook", codewords, 9).unpack();
        PackedCodes indexCodes = codes(f, name, "indices", kernels, eta);
        PackedCodes negateCodes = codes(f, name, "negate", out, 1);
        byte[] indices = new byte[(int) kernels];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (byte) indexCodes.get(i);
        }
        boolean[] negate = new boolean[out];
        for (int o = 0; o < out; o++) {
            negate[o] = negateCodes.get(o) != 0;
        }
        try {
            return new Layer.CodewordConv(name, in, out, stride, padding, eta, codebook, indices, negate);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage()); // names the node: codeword_conv "<name>": ...
        }
    }

    private void requireFormat2(Fields f, String what) {
        if (!format.equals(FORMAT_SUB_BIT)) {
            throw fail(
                    f.where + ": " + what + " needs format \"" + FORMAT_SUB_BIT + "\", the file is \"" + format + "\"");
        }
    }

    /**
     * The U8 tensor {@code <node>.<role>}: a stream of {@code count} codes of {@code width} bits
     * (docs/s2nn.md 6), {@code ceil(count * width / 8)} bytes whose bits after the last code are 0.
     */
    private PackedCodes codes(Fields f, String node, String role, long count, int width) {
        int bytes = (int) PackedCodes.bytes(count, width);
        PackedCodes codes = new PackedCodes(
                (int) count,
                width,
                tensor(f, node + "." + role, DType.U8, bytes).toBytes());
        if (!codes.paddingClear()) {
            throw fail("tensor \"" + node + "." + role + "\" has padding bits set after its " + count + " codes of "
                    + width + " bits (they must be 0)");
        }
        return codes;
    }

    /**
     * The F32 tensor {@code <node>.<role>} of the given shape. Its byte range was checked against
     * the file when the container was opened, so reading it allocates no more than the file holds.
     */
    private float[] floats(Fields f, String node, String role, int... shape) {
        float[] values = tensor(f, node + "." + role, DType.F32, shape).toFloats();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw fail("tensor \"" + node + "." + role + "\" holds " + values[i] + " at element " + i
                        + "; a deployed model's parameters must be finite");
            }
        }
        return values;
    }

    /** The U8 tensor {@code <node>.signs}: {@code rows} rows of {@code rowLength} packed signs. */
    private SignMatrix signs(Fields f, String node, int rows, long rowLength) {
        if (rowLength > Integer.MAX_VALUE - 8) {
            throw fail(f.where + ": " + rowLength + " weights per output is too many");
        }
        int length = (int) rowLength;
        byte[] bits =
                tensor(f, node + ".signs", DType.U8, rows, (length + 7) >>> 3).toBytes();
        int bad = new PackedSigns(rows, length, bits).firstRowWithPaddingSet();
        if (bad >= 0) {
            throw fail("tensor \"" + node + ".signs\": row " + bad + " has padding bits set after its " + length
                    + " signs (they must be 0)");
        }
        return SignMatrix.ofRows(rows, length, bits);
    }

    private TensorEntry tensor(Fields f, String name, DType dtype, int... shape) {
        long[] expected = Arrays.stream(shape).asLongStream().toArray();
        TensorEntry t = file.tensors().get(name);
        if (t == null) {
            throw fail(f.where + " needs tensor \"" + name + "\" (" + dtype + " " + Arrays.toString(expected)
                    + "), which the file does not hold");
        }
        if (t.dtype() != dtype || !Arrays.equals(t.shape(), expected)) {
            throw fail("tensor \"" + name + "\" is " + t.dtype() + " " + Arrays.toString(t.shape()) + "; " + f.where
                    + " needs " + dtype + " " + Arrays.toString(expected));
        }
        used.add(name);
        return t;
    }

    private RuntimeModelException fail(String message) {
        return new RuntimeModelException(path + ": " + message);
    }

    /** Typed access to a JSON object's fields that fails naming the field, and notices unknown ones. */
    private final class Fields {
        private final Map<?, ?> json;
        private final Set<String> read = new HashSet<>();
        private String where;

        Fields(Object json, String where) {
            if (!(json instanceof Map<?, ?> map)) {
                throw fail(where + " must be a JSON object");
            }
            this.json = map;
            this.where = where;
        }

        private Object field(String key, String expected) {
            read.add(key);
            Object v = json.get(key);
            if (v == null || v == Json.NULL) {
                throw fail(where + ": missing field \"" + key + "\" (" + expected + ")");
            }
            return v;
        }

        String text(String key) {
            if (!(field(key, "a string") instanceof String s)) {
                throw fail(where + ": field \"" + key + "\" is " + json.get(key) + ", expected a string");
            }
            return s;
        }

        int integer(String key) {
            return whole(key, field(key, "a whole number"), 0);
        }

        int positive(String key) {
            return whole(key, field(key, "a whole number >= 1"), 1);
        }

        private int whole(String key, Object v, int min) {
            if (v instanceof BigInteger d) {
                try {
                    int i = d.intValueExact();
                    if (i >= min) {
                        return i;
                    }
                } catch (ArithmeticException e) {
                    // falls through to the message below
                }
            }
            throw fail(where + ": field \"" + key + "\" is " + v + ", expected a whole number >= " + min);
        }

        float number(String key) {
            if (!(field(key, "a number") instanceof Number d)) {
                throw fail(where + ": field \"" + key + "\" is " + json.get(key) + ", expected a number");
            }
            return (float) d.doubleValue();
        }

        boolean bool(String key) {
            if (!(field(key, "true or false") instanceof Boolean b)) {
                throw fail(where + ": field \"" + key + "\" is " + json.get(key) + ", expected true or false");
            }
            return b;
        }

        List<?> array(String key) {
            if (!(field(key, "an array") instanceof List<?> list)) {
                throw fail(where + ": field \"" + key + "\" is " + json.get(key) + ", expected an array");
            }
            return list;
        }

        /** An array of node names, or null when the field is absent. */
        List<String> optionalNames(String key) {
            if (!json.containsKey(key)) {
                return null;
            }
            List<?> list = array(key);
            List<String> out = new ArrayList<>();
            for (Object e : list) {
                if (!(e instanceof String s)) {
                    throw fail(where + ": field \"" + key + "\" holds " + e + ", expected node names (strings)");
                }
                out.add(s);
            }
            return out;
        }

        int[] dimensions(String key) {
            List<?> list = array(key);
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = whole(key, list.get(i), 1);
            }
            return out;
        }

        void done() {
            for (Object key : json.keySet()) {
                if (!read.contains(key)) {
                    throw fail(where + ": unknown field \"" + key + "\"");
                }
            }
        }
    }
}
