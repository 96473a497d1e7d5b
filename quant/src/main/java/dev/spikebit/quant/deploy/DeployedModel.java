package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network in the deployed standard form of docs/methods.md 2: binary layers hold only +-1 weights
 * packed 8 per byte, per-channel thresholds, biases and spike scales; full-precision layers hold
 * their float weights. Plain data: run it with {@link DeployedExecutor}, store it with
 * {@link DeployedFormat}.
 *
 * <p>Each node reads the output of the node before it (the first node reads the image), unless
 * {@code inputs} names the nodes it reads: an {@link DeployedNode.Add} names the two nodes it
 * sums, and any other node may name one earlier node (the first layer of a projection shortcut
 * reads the block's input, not its predecessor). docs/reverb.md section 3 describes the residual
 * blocks built this way.
 *
 * <p>The constructor checks that the graph is well formed: names are unique, exactly one
 * {@link DeployedNode.Repeat} separates the once-per-image part from the per-step part (no neuron
 * before it), the last node and only that one is {@link DeployedNode.MeanOverTime}, every named
 * input exists and comes earlier, an add has exactly two inputs of the same shape, and every node
 * accepts the shape its input produces, ending in {@code [numClasses]}. Failures name the node.
 *
 * @param model       the zoo name of the network it was made from
 * @param timeSteps   T, the number of steps
 * @param inputShape  one input image, {@code [C, H, W]}
 * @param numClasses  number of classes (the output size)
 * @param nodes       the operations in order
 * @param inputs      by node name, the names of the nodes it reads, for the nodes that do not read
 *                    (only) their predecessor; in node order
 */
public record DeployedModel(
        String model,
        int timeSteps,
        int[] inputShape,
        int numClasses,
        List<DeployedNode> nodes,
        Map<String, List<String>> inputs) {

    public DeployedModel {
        nodes = List.copyOf(nodes);
        inputShape = inputShape.clone();
        inputs = copyInOrder(model, inputs, nodes);
        if (timeSteps < 1) {
            throw new SpikebitException("deployed model " + model + ": T must be >= 1, got " + timeSteps);
        }
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new SpikebitException("deployed model " + model + ": the input shape must be [C, H, W] with sizes "
                    + ">= 1, got " + Arrays.toString(inputShape));
        }
        checkStructure(model, nodes);
        int[][] sources = sources(model, nodes, inputs);
        int[] out = shapes(model, inputShape, nodes, sources).getLast();
        if (out.length != 1 || out[0] != numClasses) {
            throw new SpikebitException("deployed model " + model + ": the network ends in shape "
                    + Arrays.toString(out) + ", expected [" + numClasses + "] for " + numClasses + " classes");
        }
    }

    /** A chain: every node reads the node before it. */
    public DeployedModel(String model, int timeSteps, int[] inputShape, int numClasses, List<DeployedNode> nodes) {
        this(model, timeSteps, inputShape, numClasses, nodes, Map.of());
    }

    /** A copy of the input shape. */
    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Whether some node reads anything but its predecessor (a residual network). */
    public boolean hasBranches() {
        return !inputs.isEmpty();
    }

    /**
     * The indices of the nodes that node {@code index} reads: {@code index - 1} by default, -1
     * for the image; the two operands of an add.
     */
    public int[] sources(int index) {
        return sources(model, nodes, inputs)[index];
    }

    /** The output shape of each node, per sample and step. */
    public List<int[]> outputShapes() {
        return shapes(model, inputShape, nodes, sources(model, nodes, inputs));
    }

    /** The shape node {@code index} reads (its first input's), per sample and step. */
    public int[] inputShapeOf(int index) {
        int source = sources(index)[0];
        return source < 0 ? inputShape() : outputShapes().get(source);
    }

    /** The index of the {@link DeployedNode.Repeat} node: nodes before it run once per image. */
    public int repeatIndex() {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) instanceof DeployedNode.Repeat) {
                return i;
            }
        }
        throw new IllegalStateException("no repeat node");
    }

    /** Bytes of all parameters: what the file holds besides its header. */
    public long parameterBytes() {
        return nodes.stream().mapToLong(DeployedNode::parameterBytes).sum();
    }

    private static Map<String, List<String>> copyInOrder(
            String model, Map<String, List<String>> inputs, List<DeployedNode> nodes) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (DeployedNode node : nodes) {
            List<String> named = inputs.get(node.name());
            if (named != null) {
                out.put(node.name(), List.copyOf(named));
            }
        }
        for (String name : inputs.keySet()) {
            if (!out.containsKey(name)) {
                throw new SpikebitException("deployed model " + model + ": inputs are given for \"" + name
                        + "\", which is no node of the graph");
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static void checkStructure(String model, List<DeployedNode> nodes) {
        Set<String> names = new HashSet<>();
        int repeats = 0;
        for (int i = 0; i < nodes.size(); i++) {
            DeployedNode node = nodes.get(i);
            if (node.name() == null || node.name().isEmpty()) {
                throw new SpikebitException(
                        "deployed model " + model + ": node " + i + " (" + node.kind() + ") has no name");
            }
            if (!names.add(node.name())) {
                throw new SpikebitException(
                        "deployed model " + model + ": two nodes are named \"" + node.name() + "\"");
            }
            if (node instanceof DeployedNode.Repeat) {
                repeats++;
            } else if (node instanceof DeployedNode.Neuron && repeats == 0) {
                throw new SpikebitException("deployed model " + model + ": neuron " + node.name() + " comes before the "
                        + "repeat node; neurons run over time steps");
            } else if (node instanceof DeployedNode.MeanOverTime && i != nodes.size() - 1) {
                throw new SpikebitException(
                        "deployed model " + model + ": mean_over_time node " + node.name() + " must be the last node");
            }
        }
        if (repeats != 1) {
            throw new SpikebitException(
                    "deployed model " + model + ": expected exactly one repeat node, found " + repeats);
        }
        if (nodes.isEmpty() || !(nodes.getLast() instanceof DeployedNode.MeanOverTime)) {
            throw new SpikebitException(
                    "deployed model " + model + ": the last node must be mean_over_time (the readout)");
        }
    }

    /** Resolves every node's inputs to indices, checking that they exist, come earlier and are as many as needed. */
    private static int[][] sources(String model, List<DeployedNode> nodes, Map<String, List<String>> inputs) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
        int[][] out = new int[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            DeployedNode node = nodes.get(i);
            List<String> named = inputs.get(node.name());
            String what = node.kind() + " node " + node.name();
            if (named == null) {
                if (node instanceof DeployedNode.Add) {
                    throw new SpikebitException("deployed model " + model + ": " + what + " names no inputs; an add "
                            + "sums exactly two earlier nodes");
                }
                out[i] = new int[] {i - 1};
                continue;
            }
            int expected = node instanceof DeployedNode.Add ? 2 : 1;
            if (named.size() != expected) {
                throw new SpikebitException("deployed model " + model + ": " + what + " has " + named.size()
                        + " inputs " + named + ", expected " + expected);
            }
            out[i] = new int[expected];
            for (int j = 0; j < expected; j++) {
                Integer source = index.get(named.get(j));
                if (source == null) {
                    throw new SpikebitException("deployed model " + model + ": " + what + " reads \"" + named.get(j)
                            + "\", which is no node of the graph");
                }
                if (source >= i) {
                    throw new SpikebitException("deployed model " + model + ": " + what + " reads \"" + named.get(j)
                            + "\" (node " + source + "), which does not come before it (node " + i + ")");
                }
                out[i][j] = source;
            }
        }
        return out;
    }

    private static List<int[]> shapes(String model, int[] input, List<DeployedNode> nodes, int[][] sources) {
        List<int[]> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            DeployedNode node = nodes.get(i);
            int[] in = sources[i][0] < 0 ? input : out.get(sources[i][0]);
            if (node instanceof DeployedNode.Add) {
                int[] other = out.get(sources[i][1]);
                if (!Arrays.equals(in, other)) {
                    throw new SpikebitException("deployed model " + model + ": add node " + node.name() + " sums "
                            + nodes.get(sources[i][0]).name() + " of shape " + Arrays.toString(in) + " and "
                            + nodes.get(sources[i][1]).name() + " of shape " + Arrays.toString(other)
                            + "; both must have the same shape");
                }
            }
            out.add(node.outputShape(in));
        }
        return out;
    }
}
