package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A network in the deployed standard form of methods.md 2: binary layers hold only +-1 weights
 * packed 8 per byte, per-channel thresholds, biases and spike scales; full-precision layers hold
 * their float weights. Plain data: run it with {@link DeployedExecutor}, store it with
 * {@link DeployedFormat}.
 *
 * <p>The constructor checks that the graph is well formed: names are unique, exactly one
 * {@link DeployedNode.Repeat} separates the once-per-image part from the per-step part (no neuron
 * before it), the last node and only that one is {@link DeployedNode.MeanOverTime}, and every
 * node accepts the shape the one before it produces, ending in {@code [numClasses]}.
 *
 * @param model       the zoo name of the network it was made from
 * @param timeSteps   T, the number of steps
 * @param inputShape  one input image, {@code [C, H, W]}
 * @param numClasses  number of classes (the output size)
 * @param nodes       the operations in order
 */
public record DeployedModel(String model, int timeSteps, int[] inputShape, int numClasses, List<DeployedNode> nodes) {

    public DeployedModel {
        nodes = List.copyOf(nodes);
        inputShape = inputShape.clone();
        if (timeSteps < 1) {
            throw new SpikebitException("deployed model " + model + ": T must be >= 1, got " + timeSteps);
        }
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new SpikebitException("deployed model " + model + ": the input shape must be [C, H, W] with sizes "
                    + ">= 1, got " + Arrays.toString(inputShape));
        }
        checkStructure(model, nodes);
        int[] out = shapes(inputShape, nodes).getLast();
        if (out.length != 1 || out[0] != numClasses) {
            throw new SpikebitException("deployed model " + model + ": the network ends in shape " + Arrays.toString(out)
                    + ", expected [" + numClasses + "] for " + numClasses + " classes");
        }
    }

    /** A copy of the input shape. */
    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The output shape of each node, per sample and step. */
    public List<int[]> outputShapes() {
        return shapes(inputShape, nodes);
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

    private static void checkStructure(String model, List<DeployedNode> nodes) {
        Set<String> names = new HashSet<>();
        int repeats = 0;
        for (int i = 0; i < nodes.size(); i++) {
            DeployedNode node = nodes.get(i);
            if (node.name() == null || node.name().isEmpty()) {
                throw new SpikebitException("deployed model " + model + ": node " + i + " (" + node.kind()
                        + ") has no name");
            }
            if (!names.add(node.name())) {
                throw new SpikebitException("deployed model " + model + ": two nodes are named \"" + node.name() + "\"");
            }
            if (node instanceof DeployedNode.Repeat) {
                repeats++;
            } else if (node instanceof DeployedNode.Neuron && repeats == 0) {
                throw new SpikebitException("deployed model " + model + ": neuron " + node.name() + " comes before the "
                        + "repeat node; neurons run over time steps");
            } else if (node instanceof DeployedNode.MeanOverTime && i != nodes.size() - 1) {
                throw new SpikebitException("deployed model " + model + ": mean_over_time node " + node.name()
                        + " must be the last node");
            }
        }
        if (repeats != 1) {
            throw new SpikebitException("deployed model " + model + ": expected exactly one repeat node, found " + repeats);
        }
        if (nodes.isEmpty() || !(nodes.getLast() instanceof DeployedNode.MeanOverTime)) {
            throw new SpikebitException("deployed model " + model + ": the last node must be mean_over_time (the readout)");
        }
    }

    private static List<int[]> shapes(int[] input, List<DeployedNode> nodes) {
        List<int[]> out = new ArrayList<>(nodes.size());
        int[] shape = input;
        for (DeployedNode node : nodes) {
            shape = node.outputShape(shape);
            out.add(shape);
        }
        return out;
    }
}
