package dev.spikebit.runtime.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deployed network: its layers, which earlier layers each one reads, and the shapes that flow
 * through them (docs/reverb.md 3; the {@code codeword_conv} of docs/s2nn.md 6 takes the shape rule
 * of {@code sign_conv}).
 *
 * <p>Each layer reads the output of the layer before it (the first reads the image) unless
 * {@code inputs} names what it reads: an {@link Layer.Add} names the two layers it sums, any other
 * layer may name one earlier layer (the first layer of a projection shortcut reads its block's
 * input, not its predecessor).
 *
 * <p>{@link #of} checks the structure (unique names, exactly one {@link Layer.Repeat} with no
 * neuron before it, {@link Layer.MeanOverTime} last and only there, every named input an earlier
 * layer, an add with exactly two inputs of one shape) and the shapes from {@code inputShape} to
 * {@code [numClasses]}, in long arithmetic, refusing any activation of more than
 * {@value #MAX_ACTIVATION} values per sample and more than {@value #MAX_TIME_STEPS} time steps:
 * a file cannot make the runtime allocate or loop more than its header honestly describes.
 *
 * @param model      the zoo name of the network
 * @param timeSteps  T
 * @param inputShape one image {@code [C, H, W]}
 * @param numClasses the output size
 * @param layers     the nodes in order
 * @param inputs     by layer name, the names of the layers it reads, for the layers that do not
 *                   read (only) their predecessor; in layer order; empty for a chain
 * @param shapes     each layer's output shape per sample and step
 */
public record Graph(
        String model,
        int timeSteps,
        int[] inputShape,
        int numClasses,
        List<Layer> layers,
        Map<String, List<String>> inputs,
        List<int[]> shapes) {
    /** The most values one activation of one sample may hold (1 GiB of floats). */
    public static final long MAX_ACTIVATION = 1L << 28;

    /**
     * The most time steps a network may run. The papers use T = 1 to 10 (event data up to a few
     * dozen frames); a thousand steps is far beyond any of them, and each step of a deployed
     * network costs a full pass, so a larger T in a file is damage, not a model.
     */
    public static final int MAX_TIME_STEPS = 1000;

    /** A chain: every layer reads the one before it. */
    public static Graph of(String model, int timeSteps, int[] inputShape, int numClasses, List<Layer> layers) {
        return of(model, timeSteps, inputShape, numClasses, layers, Map.of());
    }

    /** Checks the layers and computes their shapes; fails with {@link IllegalArgumentException}. */
    public static Graph of(
            String model,
            int timeSteps,
            int[] inputShape,
            int numClasses,
            List<Layer> layers,
            Map<String, List<String>> inputs) {
        if (timeSteps < 1 || timeSteps > MAX_TIME_STEPS) {
            throw new IllegalArgumentException(
                    "timeSteps is " + timeSteps + ", expected 1.." + MAX_TIME_STEPS + " (Graph.MAX_TIME_STEPS)");
        }
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException(
                    "inputShape must be [C, H, W] with sizes >= 1, got " + Arrays.toString(inputShape));
        }
        checkSize("inputShape", inputShape);
        checkStructure(layers);
        Map<String, List<String>> ordered = inputsInOrder(layers, inputs);
        int[][] sources = sources(layers, ordered);
        List<int[]> shapes = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int[] in = sources[i][0] < 0 ? inputShape : shapes.get(sources[i][0]);
            if (layer instanceof Layer.Add) {
                int[] other = shapes.get(sources[i][1]);
                if (!Arrays.equals(in, other)) {
                    throw new IllegalArgumentException("add \"" + layer.name() + "\" sums \""
                            + layers.get(sources[i][0]).name() + "\" of shape " + Arrays.toString(in) + " and \""
                            + layers.get(sources[i][1]).name() + "\" of shape " + Arrays.toString(other)
                            + "; both must have the same shape");
                }
            }
            int[] shape = outputShape(layer, in);
            checkSize("the output of node \"" + layer.name() + "\"", shape);
            shapes.add(shape);
        }
        int[] shape = shapes.getLast();
        if (shape.length != 1 || shape[0] != numClasses) {
            throw new IllegalArgumentException("the network ends in shape " + Arrays.toString(shape) + ", expected ["
                    + numClasses + "] for numClasses " + numClasses);
        }
        return new Graph(
                model, timeSteps, inputShape.clone(), numClasses, List.copyOf(layers), ordered, List.copyOf(shapes));
    }

    /** Whether some layer reads anything but its predecessor (a residual network). */
    public boolean hasBranches() {
        return !inputs.isEmpty();
    }

    /**
     * The indices of the layers that layer {@code i} reads: {@code i - 1} by default, -1 for the
     * image; the two operands of an add.
     */
    public int[] sources(int i) {
        List<String> named = inputs.get(layers.get(i).name());
        if (named == null) {
            return new int[] {i - 1};
        }
        int[] out = new int[named.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = indexOf(named.get(j));
        }
        return out;
    }

    private int indexOf(String name) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no layer " + name);
    }

    /** The index of the repeat node: layers before it run once per image. */
    public int repeatIndex() {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Layer.Repeat) {
                return i;
            }
        }
        throw new IllegalStateException("no repeat node");
    }

    /** The input shape of layer {@code i} (its first input's output shape). */
    public int[] inputShapeOf(int i) {
        int source = sources(i)[0];
        return source < 0 ? inputShape.clone() : shapes.get(source).clone();
    }

    private static Map<String, List<String>> inputsInOrder(List<Layer> layers, Map<String, List<String>> inputs) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Layer layer : layers) {
            List<String> named = inputs.get(layer.name());
            if (named != null) {
                out.put(layer.name(), List.copyOf(named));
            }
        }
        for (String name : inputs.keySet()) {
            if (!out.containsKey(name)) {
                throw new IllegalArgumentException(
                        "inputs are given for \"" + name + "\", which is no node of the graph");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Resolves every layer's inputs to indices, checking that they exist, come earlier and are as many as needed. */
    private static int[][] sources(List<Layer> layers, Map<String, List<String>> inputs) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            index.put(layers.get(i).name(), i);
        }
        int[][] out = new int[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            List<String> named = inputs.get(layer.name());
            String what = layer.kind() + " \"" + layer.name() + "\"";
            int expected = layer instanceof Layer.Add ? 2 : 1;
            if (named == null) {
                if (layer instanceof Layer.Add) {
                    throw new IllegalArgumentException(
                            what + " names no inputs; an add sums exactly two earlier nodes");
                }
                out[i] = new int[] {i - 1};
                continue;
            }
            if (named.size() != expected) {
                throw new IllegalArgumentException(
                        what + " has " + named.size() + " inputs " + named + ", expected " + expected);
            }
            out[i] = new int[expected];
            for (int j = 0; j < expected; j++) {
                Integer source = index.get(named.get(j));
                if (source == null) {
                    throw new IllegalArgumentException(
                            what + " reads \"" + named.get(j) + "\", which is no node of the graph");
                }
                if (source >= i) {
                    throw new IllegalArgumentException(what + " reads \"" + named.get(j) + "\" (node " + source
                            + "), which does not come before it (node " + i + ")");
                }
                out[i][j] = source;
            }
        }
        return out;
    }

    /** Values per sample of an activation. */
    public static int count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return (int) n;
    }

    private static void checkSize(String what, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > MAX_ACTIVATION) {
                throw new IllegalArgumentException(what + " " + Arrays.toString(shape) + " holds more than "
                        + MAX_ACTIVATION + " values per sample");
            }
        }
    }

    private static void checkStructure(List<Layer> layers) {
        Set<String> names = new HashSet<>();
        int repeats = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer.name().isEmpty()) {
                throw new IllegalArgumentException("node " + i + " (" + layer.kind() + ") has an empty name");
            }
            if (!names.add(layer.name())) {
                throw new IllegalArgumentException("two nodes are named \"" + layer.name() + "\"");
            }
            if (layer instanceof Layer.Repeat) {
                repeats++;
            } else if (layer instanceof Layer.Neuron && repeats == 0) {
                throw new IllegalArgumentException(
                        "neuron \"" + layer.name() + "\" comes before the repeat node; neurons run over time steps");
            } else if (layer instanceof Layer.MeanOverTime && i != layers.size() - 1) {
                throw new IllegalArgumentException(
                        "mean_over_time node \"" + layer.name() + "\" must be the last node");
            }
        }
        if (repeats != 1) {
            throw new IllegalArgumentException("expected exactly one repeat node, found " + repeats);
        }
        if (layers.isEmpty() || !(layers.getLast() instanceof Layer.MeanOverTime)) {
            throw new IllegalArgumentException("the last node must be mean_over_time (the readout)");
        }
    }

    /**
     * The shape {@code layer} produces from {@code in} (per sample and step), or an
     * {@link IllegalArgumentException} naming the layer; an add gives the shape of its first operand.
     */
    public static int[] outputShape(Layer layer, int[] in) {
        return switch (layer) {
            case Layer.Normalize n -> channels(layer, in, n.mean().length, 3);
            case Layer.Conv c -> conv(layer, in, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.SignConv c ->
                conv(layer, in, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.CodewordConv c ->
                conv(layer, in, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.Linear l -> features(layer, in, l.inFeatures(), l.outFeatures());
            case Layer.SignLinear l -> features(layer, in, l.inFeatures(), l.outFeatures());
            case Layer.Affine a -> channels(layer, in, a.scale().length, -1);
            case Layer.Neuron n -> channels(layer, in, n.channels(), -1);
            case Layer.MaxPool p -> pool(layer, in, p.kernel(), p.stride());
            case Layer.AvgPool p -> {
                if (!p.isGlobal()) {
                    yield pool(layer, in, p.kernel(), p.stride());
                }
                rank(layer, in, 3);
                if (in[1] != in[2]) {
                    throw bad(layer, in, "global avg_pool needs square maps");
                }
                yield new int[] {in[0], 1, 1};
            }
            case Layer.Add a -> in.clone();
            case Layer.Flatten f -> new int[] {count(in)};
            case Layer.Repeat r -> in.clone();
            case Layer.MeanOverTime m -> in.clone();
        };
    }

    private static int[] channels(Layer layer, int[] in, int channels, int requiredRank) {
        if (requiredRank > 0) {
            rank(layer, in, requiredRank);
        }
        if (in[0] != channels) {
            throw bad(layer, in, "it has " + channels + " channels");
        }
        return in.clone();
    }

    private static int[] features(Layer layer, int[] in, int inFeatures, int outFeatures) {
        rank(layer, in, 1);
        if (in[0] != inFeatures) {
            throw bad(layer, in, "it expects " + inFeatures + " input features");
        }
        return new int[] {outFeatures};
    }

    private static int[] conv(
            Layer layer, int[] in, int inChannels, int outChannels, int kernel, int stride, int padding) {
        rank(layer, in, 3);
        if (in[0] != inChannels) {
            throw bad(layer, in, "it expects " + inChannels + " input channels");
        }
        return new int[] {
            outChannels,
            window(layer, in, in[1], kernel, stride, padding),
            window(layer, in, in[2], kernel, stride, padding)
        };
    }

    private static int[] pool(Layer layer, int[] in, int kernel, int stride) {
        rank(layer, in, 3);
        return new int[] {
            in[0], window(layer, in, in[1], kernel, stride, 0), window(layer, in, in[2], kernel, stride, 0)
        };
    }

    private static int window(Layer layer, int[] in, int size, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1) {
            throw bad(layer, in, "kernel and stride must be >= 1, got " + kernel + " and " + stride);
        }
        long padded = (long) size + 2L * padding;
        if (padded < kernel) {
            throw bad(layer, in, "the window " + kernel + " is larger than the padded input " + padded);
        }
        long out = (padded - kernel) / stride + 1;
        if (out > MAX_ACTIVATION) {
            throw bad(layer, in, "its output would be " + out + " wide, more than " + MAX_ACTIVATION);
        }
        return (int) out;
    }

    private static void rank(Layer layer, int[] in, int rank) {
        if (in.length != rank) {
            throw bad(layer, in, "it expects input of rank " + rank);
        }
    }

    private static IllegalArgumentException bad(Layer layer, int[] in, String why) {
        return new IllegalArgumentException("node \"" + layer.name() + "\" (" + layer.kind() + ") cannot take input "
                + Arrays.toString(in) + ": " + why);
    }
}
