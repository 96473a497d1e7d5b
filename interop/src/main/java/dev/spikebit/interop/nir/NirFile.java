package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.AtomicFiles;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes NIR files: HDF5 (through jhdf) in the layout of NIR's reference serializer. The
 * root holds a {@code version} string and a group {@code node} with {@code type = "NIRGraph"}, a
 * group {@code nodes} (one group per node, its fields as datasets, the type name in {@code type})
 * and {@code edges}, an {@code [n, 2]} array of node names. Files of NIR 0.1 to 1.x read alike.
 */
public final class NirFile {
    /** The NIR version this writer follows (the field set of NIR's reference serializer). */
    public static final String WRITER_VERSION = "1.0.0";

    /** Largest number of elements read from one dataset: far above any network spikebit can train. */
    private static final long MAX_ELEMENTS = 1L << 26;

    private NirFile() {}

    /**
     * Reads a NIR graph.
     *
     * @throws SpikebitException naming the file and the node or field that is missing or malformed
     */
    public static NirGraph read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new SpikebitException(path + ": no such file");
        }
        try (HdfFile file = new HdfFile(path)) {
            String version = file.getChildren().containsKey("version") ? string(path, file, "version") : "unknown";
            Node root = file.getChild("node");
            if (!(root instanceof Group g)) {
                throw new SpikebitException(path + ": not a NIR file (no group \"node\" at the root)");
            }
            return readGraph(path, g, version);
        } catch (SpikebitException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SpikebitException(path + ": not a readable HDF5 file (" + e.getMessage() + ")", e);
        }
    }

    private static NirGraph readGraph(Path path, Group g, String version) {
        String type = string(path, g, "type");
        if (!type.equals("NIRGraph")) {
            throw new SpikebitException(path + ": the root node is a " + type + ", expected a NIRGraph");
        }
        Map<String, NirNode> nodes = new LinkedHashMap<>();
        Node nodesGroup = g.getChild("nodes");
        if (!(nodesGroup instanceof Group ng)) {
            throw new SpikebitException(path + ": graph " + g.getPath() + " has no group \"nodes\"");
        }
        for (var e : ng.getChildren().entrySet()) {
            if (!(e.getValue() instanceof Group child)) {
                throw new SpikebitException(path + ": " + e.getValue().getPath() + " is not a node group");
            }
            nodes.put(e.getKey(), readNode(path, child, version));
        }
        List<NirGraph.Edge> edges = new ArrayList<>();
        if (g.getChildren().containsKey("edges")) {
            Dataset d = dataset(path, g, "edges");
            int[] dims = d.getDimensions();
            if (d.getSize() > 0) {
                if (dims.length != 2 || dims[1] != 2 || !(d.getData() instanceof String[][] pairs)) {
                    throw new SpikebitException(path + ": " + d.getPath() + " must be an [n, 2] array of node names");
                }
                for (String[] p : pairs) {
                    edges.add(new NirGraph.Edge(p[0], p[1]));
                }
            }
        }
        double dt = Double.NaN;
        if (g.getChildren().get("metadata") instanceof Group meta
                && meta.getChildren().containsKey("dt")) {
            // Read as a double: a float would move 1e-4 by 2.5e-12 and the decay 1 - dt/tau by an ulp.
            if (dataset(path, meta, "dt").getData() instanceof Number n) {
                dt = n.doubleValue();
            }
        }
        return new NirGraph(version, nodes, edges, dt);
    }

    private static NirNode readNode(Path path, Group g, String version) {
        String type = string(path, g, "type");
        return switch (type) {
            case "Input" -> new NirNode.Input(ints(path, g, "shape"));
            case "Output" -> new NirNode.Output(ints(path, g, "shape"));
            case "Affine" -> new NirNode.Affine(array(path, g, "weight"), array(path, g, "bias"));
            case "Linear" -> new NirNode.Linear(array(path, g, "weight"));
            case "Scale" -> new NirNode.Scale(array(path, g, "scale"));
            case "Conv2d" ->
                new NirNode.Conv2d(
                        array(path, g, "weight"),
                        array(path, g, "bias"),
                        pair(path, g, "stride"),
                        pair(path, g, "padding"),
                        pair(path, g, "dilation"),
                        (int) scalar(path, g, "groups"),
                        g.getChildren().containsKey("input_shape") ? ints(path, g, "input_shape") : null);
            case "LIF" -> {
                NirArray threshold = array(path, g, "v_threshold");
                yield new NirNode.Lif(
                        array(path, g, "tau"),
                        array(path, g, "r"),
                        array(path, g, "v_leak"),
                        threshold,
                        optionalZeros(path, g, "v_reset", threshold));
            }
            case "IF" -> {
                NirArray threshold = array(path, g, "v_threshold");
                yield new NirNode.IntegrateAndFire(
                        array(path, g, "r"), threshold, optionalZeros(path, g, "v_reset", threshold));
            }
            case "CubaLIF" -> {
                NirArray threshold = array(path, g, "v_threshold");
                yield new NirNode.CubaLif(
                        array(path, g, "tau_syn"),
                        array(path, g, "tau_mem"),
                        array(path, g, "r"),
                        array(path, g, "v_leak"),
                        threshold,
                        optionalZeros(path, g, "v_reset", threshold),
                        array(path, g, "w_in"));
            }
            case "Threshold" -> new NirNode.Threshold(array(path, g, "threshold"));
            case "Flatten" ->
                new NirNode.Flatten(
                        (int) scalar(path, g, "start_dim"),
                        (int) scalar(path, g, "end_dim"),
                        g.getChildren().containsKey("input_type") ? ints(path, g, "input_type") : null);
            case "SumPool2d" ->
                new NirNode.SumPool2d(pair(path, g, "kernel_size"), pair(path, g, "stride"), pair(path, g, "padding"));
            case "AvgPool2d" ->
                new NirNode.AvgPool2d(pair(path, g, "kernel_size"), pair(path, g, "stride"), pair(path, g, "padding"));
            case "NIRGraph" -> new NirNode.Subgraph(readGraph(path, g, version));
            default -> {
                Map<String, int[]> fields = new LinkedHashMap<>();
                g.getChildren().forEach((k, v) -> {
                    if (v instanceof Dataset d) {
                        fields.put(k, d.getDimensions());
                    }
                });
                yield new NirNode.Other(type, fields);
            }
        };
    }

    // ------------------------------------------------------------------ reading fields

    private static Dataset dataset(Path path, Group g, String name) {
        Node n = g.getChildren().get(name);
        if (!(n instanceof Dataset d)) {
            throw new SpikebitException(path + ": NIR node " + g.getPath() + " has no field \"" + name + "\"");
        }
        if (d.getSize() > MAX_ELEMENTS) {
            throw new SpikebitException(path + ": " + d.getPath() + " has " + d.getSize() + " elements, more than "
                    + MAX_ELEMENTS + " (not a network spikebit can hold)");
        }
        return d;
    }

    private static String string(Path path, Group g, String name) {
        Object data = dataset(path, g, name).getData();
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof String[] a && a.length == 1) {
            return a[0];
        }
        throw new SpikebitException(path + ": " + g.getPath() + "/" + name + " is not a string");
    }

    private static NirArray array(Path path, Group g, String name) {
        Dataset d = dataset(path, g, name);
        Object data = d.getData();
        int[] shape = d.isScalar() ? new int[0] : d.getDimensions();
        float[] out = new float[(int) d.getSize()];
        int[] at = {0};
        flatten(path, d.getPath(), data, out, at);
        for (float v : out) {
            if (!Float.isFinite(v)) {
                throw new SpikebitException(
                        path + ": " + d.getPath() + " holds a value that is not a finite float32 (" + v + ")");
            }
        }
        return new NirArray(out, shape);
    }

    private static void flatten(Path path, String where, Object data, float[] out, int[] at) {
        if (data instanceof Number n) {
            out[at[0]++] = n.floatValue();
        } else if (data instanceof float[] f) {
            System.arraycopy(f, 0, out, at[0], f.length);
            at[0] += f.length;
        } else if (data instanceof double[] f) {
            for (double v : f) {
                out[at[0]++] = (float) v;
            }
        } else if (data instanceof long[] f) {
            for (long v : f) {
                out[at[0]++] = v;
            }
        } else if (data instanceof int[] f) {
            for (int v : f) {
                out[at[0]++] = v;
            }
        } else if (data != null
                && data.getClass().isArray()
                && !data.getClass().getComponentType().isPrimitive()) {
            int n = Array.getLength(data);
            for (int i = 0; i < n; i++) {
                flatten(path, where, Array.get(data, i), out, at);
            }
        } else {
            throw new SpikebitException(path + ": " + where + " is not numeric ("
                    + (data == null ? "empty" : data.getClass().getSimpleName()) + ")");
        }
    }

    private static long scalar(Path path, Group g, String name) {
        NirArray a = array(path, g, name);
        if (a.size() != 1) {
            throw new SpikebitException(
                    path + ": " + g.getPath() + "/" + name + " must be one number, has " + a.size());
        }
        return (long) a.data()[0];
    }

    private static int[] ints(Path path, Group g, String name) {
        NirArray a = array(path, g, name);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            float v = a.data()[i];
            if (v != Math.rint(v) || v < -1 || v > Integer.MAX_VALUE) {
                throw new SpikebitException(path + ": " + g.getPath() + "/" + name + " must hold integers, has " + v);
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** A (height, width) pair; NIR writers store one number for both when they are equal. */
    private static int[] pair(Path path, Group g, String name) {
        int[] v = ints(path, g, name);
        if (v.length == 1) {
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw new SpikebitException(
                    path + ": " + g.getPath() + "/" + name + " must be one number or a pair, has " + v.length);
        }
        return v;
    }

    private static NirArray optionalZeros(Path path, Group g, String name, NirArray like) {
        return g.getChildren().containsKey(name)
                ? array(path, g, name)
                : new NirArray(new float[like.size()], like.shape().clone());
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a graph as NIR's reference serializer lays it out (uncompressed). The file is written
     * next to {@code path} and renamed, so a failed export leaves no half-written file.
     */
    public static void write(Path path, NirGraph graph) {
        Path directory = path.toAbsolutePath().getParent();
        Path scratch = null;
        try {
            // jhdf writes to a path; the bytes then go through AtomicFiles like every other output.
            scratch = Files.createTempFile(directory, "." + path.getFileName(), ".h5.tmp");
            try (WritableHdfFile file = HdfFile.write(scratch)) {
                file.putDataset("version", WRITER_VERSION);
                writeGraph(file.putGroup("node"), graph);
            }
            Path bytes = scratch;
            AtomicFiles.write(path, out -> Files.copy(bytes, out));
        } catch (java.io.IOException e) {
            throw new SpikebitException(path + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (java.io.IOException ignored) {
                    // a stray scratch file is harmless; the export itself succeeded or already failed
                }
            }
        }
    }

    private static void writeGraph(WritableGroup g, NirGraph graph) {
        g.putDataset("type", "NIRGraph");
        WritableGroup nodes = g.putGroup("nodes");
        graph.nodes().forEach((name, node) -> writeNode(nodes.putGroup(name), node));
        String[][] edges = new String[graph.edges().size()][];
        for (int i = 0; i < edges.length; i++) {
            NirGraph.Edge e = graph.edges().get(i);
            edges[i] = new String[] {e.from(), e.to()};
        }
        g.putDataset("edges", edges);
        if (!Double.isNaN(graph.timeStep())) {
            g.putGroup("metadata").putDataset("dt", graph.timeStep());
        }
    }

    private static void writeNode(WritableGroup g, NirNode node) {
        g.putDataset("type", node.type());
        switch (node) {
            case NirNode.Input n -> g.putDataset("shape", longs(n.shape()));
            case NirNode.Output n -> g.putDataset("shape", longs(n.shape()));
            case NirNode.Affine n -> {
                put(g, "weight", n.weight());
                put(g, "bias", n.bias());
            }
            case NirNode.Linear n -> put(g, "weight", n.weight());
            case NirNode.Scale n -> put(g, "scale", n.scale());
            case NirNode.Conv2d n -> {
                put(g, "weight", n.weight());
                put(g, "bias", n.bias());
                g.putDataset("stride", longs(n.stride()));
                g.putDataset("padding", longs(n.padding()));
                g.putDataset("dilation", longs(n.dilation()));
                g.putDataset("groups", (long) n.groups());
                if (n.inputShape() != null) {
                    g.putDataset("input_shape", longs(n.inputShape()));
                }
            }
            case NirNode.Lif n -> {
                put(g, "tau", n.tau());
                put(g, "r", n.r());
                put(g, "v_leak", n.vLeak());
                put(g, "v_threshold", n.vThreshold());
                put(g, "v_reset", n.vReset());
            }
            case NirNode.IntegrateAndFire n -> {
                put(g, "r", n.r());
                put(g, "v_threshold", n.vThreshold());
                put(g, "v_reset", n.vReset());
            }
            case NirNode.CubaLif n -> {
                put(g, "tau_syn", n.tauSyn());
                put(g, "tau_mem", n.tauMem());
                put(g, "r", n.r());
                put(g, "v_leak", n.vLeak());
                put(g, "v_threshold", n.vThreshold());
                put(g, "v_reset", n.vReset());
                put(g, "w_in", n.wIn());
            }
            case NirNode.Threshold n -> put(g, "threshold", n.threshold());
            case NirNode.Flatten n -> {
                g.putDataset("start_dim", (long) n.startDim());
                g.putDataset("end_dim", (long) n.endDim());
                if (n.inputType() != null) {
                    g.putDataset("input_type", longs(n.inputType()));
                }
            }
            case NirNode.SumPool2d n -> pool(g, n.kernel(), n.stride(), n.padding());
            case NirNode.AvgPool2d n -> pool(g, n.kernel(), n.stride(), n.padding());
            case NirNode.Subgraph n -> throw new SpikebitException("writing nested NIR graphs is not supported");
            case NirNode.Other n -> throw new SpikebitException("cannot write a NIR node of type " + n.type());
        }
    }

    private static void pool(WritableGroup g, int[] kernel, int[] stride, int[] padding) {
        g.putDataset("kernel_size", longs(kernel));
        g.putDataset("stride", longs(stride));
        g.putDataset("padding", longs(padding));
    }

    private static void put(WritableGroup g, String name, NirArray a) {
        g.putDataset(name, shaped(a.data(), a.shape()));
    }

    /** A Java array of the array's rank (jhdf takes the dataset's shape from the array's nesting). */
    private static Object shaped(float[] data, int[] shape) {
        if (shape.length == 0) {
            return data[0];
        }
        if (shape.length == 1) {
            return data.clone();
        }
        int inner = data.length / Math.max(1, shape[0]);
        int[] rest = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        Object first = shaped(new float[inner], rest);
        Object out = Array.newInstance(first.getClass(), shape[0]);
        for (int i = 0; i < shape[0]; i++) {
            float[] part = java.util.Arrays.copyOfRange(data, i * inner, (i + 1) * inner);
            Array.set(out, i, shaped(part, rest));
        }
        return out;
    }

    private static long[] longs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
