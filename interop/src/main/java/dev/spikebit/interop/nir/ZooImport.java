package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.QuantModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a NIR graph into a zoo model, so that the result is an ordinary spikebit checkpoint that
 * {@code eval}, fine-tuning, {@code compress} and {@code deploy} take. Each zoo entry is built for
 * the graph's input shape and laid out as a NIR graph ({@link ModelGraph}, the export's layout);
 * the file's graph fits the entry when the two are the same graph up to node names: node for
 * node the same types and shapes (a conv's weight shape, stride and padding; a linear layer's
 * weight shape; pooling windows), and edge for edge the same connections, so chains and residual
 * graphs (a node with two incoming edges, which NIR sums) import alike. A NIR Conv2d's bias goes
 * into the BN after the zoo's bias-free conv, set to the identity so that {@code BN(x) = x + bias}
 * exactly; LIF or IF nodes must all map to the same constants, which become the spec's
 * {@code tau} and {@code vth}. When no entry fits, the error says for each why, naming the node.
 */
public final class ZooImport {
    private ZooImport() {}

    /** The zoo model holding the graph's parameters, and what the neuron mapping did. */
    public record Result(SpikingClassifier model, List<String> notes) {
        public ModelSpec spec() {
            return model.spec();
        }
    }

    /**
     * Finds the zoo entry the graph fits and fills it.
     *
     * @param dt        simulation step in seconds for LIF/IF nodes (NaN: the graph's own)
     * @param timeSteps T of the imported model (NIR does not record one); 0 for the entry's default
     * @throws SpikebitException when no entry fits, with each entry's reason
     */
    public static Result toZoo(NirGraph graph, double dt, int timeSteps) {
        double step = Double.isNaN(dt) ? graph.timeStep() : dt;
        graph.topologicalOrder(); // refuses cycles with the node's name
        NeuronMapping.Mapped neuron = commonNeuron(graph, step);
        int[] in = inputShape(graph);
        int classes = outputs(graph);
        List<String> reasons = new ArrayList<>();
        for (ModelZoo.Entry entry : ModelZoo.entries()) {
            ModelSpec defaults = ModelZoo.defaultSpec(entry.name());
            ModelSpec spec = new ModelSpec(
                    entry.name(),
                    timeSteps > 0 ? timeSteps : entry.timeSteps(),
                    in[0],
                    in[1],
                    classes,
                    SpikeKind.BINARY,
                    WeightKind.FP,
                    false,
                    defaults.surrogate(),
                    neuron == null ? defaults.tau() : neuron.tau(),
                    neuron == null ? defaults.vth() : neuron.vth(),
                    defaults.detachReset());
            SpikingClassifier model;
            ModelGraph template;
            try {
                model = QuantModels.build(spec, 0);
                template = ModelGraph.of(model, Double.isNaN(step) ? NirExport.DEFAULT_DT : step);
            } catch (SpikebitException e) {
                reasons.add(entry.name() + ": " + e.getMessage());
                continue;
            }
            Map<String, String> match = new LinkedHashMap<>();
            String mismatch = GraphMatch.match(template.graph(), graph, match);
            if (mismatch == null) {
                mismatch = fill(template, graph, match);
            }
            if (mismatch == null) {
                model.eval();
                List<String> notes = new ArrayList<>();
                if (neuron != null && neuron.gain() != 1.0) {
                    notes.add("every neuron's input gain r*dt/tau = " + neuron.gain()
                            + " was divided out of the membrane: threshold " + neuron.vth());
                }
                return new Result(model, notes);
            }
            reasons.add(entry.name() + ": " + mismatch);
        }
        throw new SpikebitException("NIR graph fits no zoo model, so it cannot become a checkpoint (it can still run "
                + "with --run; docs/interop.md lists the graphs that import): " + String.join("; ", reasons));
    }

    /** The Input node's shape, which must be an image {@code [C, H, H]}. */
    private static int[] inputShape(NirGraph graph) {
        String name = null;
        for (var e : graph.nodes().entrySet()) {
            if (e.getValue() instanceof NirNode.Input) {
                if (name != null) {
                    throw NeuronMapping.refuse(e.getKey(), e.getValue(), "a second Input; zoo models have one input");
                }
                name = e.getKey();
            }
        }
        if (name == null) {
            throw new SpikebitException("NIR graph has no Input node");
        }
        int[] shape = ((NirNode.Input) graph.nodes().get(name)).shape();
        if (shape.length != 3 || shape[1] != shape[2]) {
            throw NeuronMapping.refuse(
                    name,
                    graph.nodes().get(name),
                    "input " + Arrays.toString(shape) + ": zoo models take square images [C, H, H]");
        }
        return shape;
    }

    private static int outputs(NirGraph graph) {
        for (var e : graph.nodes().entrySet()) {
            if (e.getValue() instanceof NirNode.Output o) {
                if (o.shape().length != 1) {
                    throw NeuronMapping.refuse(
                            e.getKey(),
                            o,
                            "output " + Arrays.toString(o.shape()) + ": zoo models output a vector of class scores");
                }
                return o.shape()[0];
            }
        }
        throw new SpikebitException("NIR graph has no Output node");
    }

    private static NeuronMapping.Mapped commonNeuron(NirGraph graph, double dt) {
        NeuronMapping.Mapped common = null;
        String first = null;
        for (var e : graph.nodes().entrySet()) {
            String name = e.getKey();
            NeuronMapping.Mapped m = switch (e.getValue()) {
                case NirNode.Lif l -> NeuronMapping.lif(name, l, dt);
                case NirNode.IntegrateAndFire f -> NeuronMapping.integrateAndFire(name, f, dt);
                default -> null;
            };
            if (m == null) {
                continue;
            }
            if (common == null) {
                common = m;
                first = name;
            } else if (common.tau() != m.tau() || common.vth() != m.vth()) {
                throw NeuronMapping.refuse(
                        name,
                        e.getValue(),
                        "maps to tau " + m.tau() + ", threshold "
                                + m.vth() + " but node \"" + first + "\" to tau " + common.tau() + ", threshold "
                                + common.vth()
                                + ": a zoo model has one neuron for all layers");
            }
        }
        return common;
    }

    /** Copies the matched nodes' parameters into the template's layers; returns why they do not fit, or null. */
    private static String fill(ModelGraph template, NirGraph graph, Map<String, String> match) {
        for (var e : template.origins().entrySet()) {
            String name = match.get(e.getKey());
            NirNode node = graph.nodes().get(name);
            Module layer = e.getValue().layer();
            BatchNorm bn = e.getValue().bn();
            float[] weight;
            float[] bias;
            Tensor target;
            Tensor targetBias;
            switch (node) {
                case NirNode.Conv2d c
                when layer.getClass() == Conv2d.class -> {
                    weight = c.weight().data();
                    bias = c.bias().data();
                    target = ((Conv2d) layer).weight();
                    targetBias = ((Conv2d) layer).bias();
                }
                case NirNode.Affine a
                when layer.getClass() == Linear.class -> {
                    weight = a.weight().data();
                    bias = a.bias().data();
                    target = ((Linear) layer).weight();
                    targetBias = ((Linear) layer).bias();
                }
                case NirNode.Linear l
                when layer.getClass() == Linear.class -> {
                    weight = l.weight().data();
                    bias = new float[((Linear) layer).outFeatures()];
                    target = ((Linear) layer).weight();
                    targetBias = ((Linear) layer).bias();
                }
                default -> {
                    return "NIR node \"" + name + "\" (" + node.type() + ") cannot fill " + layer.describe();
                }
            }
            copy(weight, target.data());
            if (targetBias != null) {
                copy(bias, targetBias.data());
                if (bn != null) {
                    identityWithShift(bn, new float[bias.length]);
                }
            } else if (bn != null) {
                identityWithShift(bn, bias);
            } else if (!allZero(bias)) {
                return "NIR node \"" + name + "\" (" + node.type() + ") has a bias, the zoo's " + layer.describe()
                        + " has none and no BN after it";
            }
        }
        return null;
    }

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }

    /**
     * BN parameters with {@code BN(x) = x + shift} exactly: gamma 1, running mean 0 and a running
     * variance whose float sum with eps is exactly 1, so the inverse standard deviation is 1.
     */
    static void identityWithShift(BatchNorm bn, float[] shift) {
        float var = 1f - bn.eps();
        while (var + bn.eps() > 1f) {
            var = Math.nextDown(var);
        }
        while (var + bn.eps() < 1f) {
            var = Math.nextUp(var);
        }
        Arrays.fill(bn.gamma().data(), 1f);
        copy(shift, bn.beta().data());
        Arrays.fill(bn.runningMean(), 0f);
        Arrays.fill(bn.runningVar(), var);
    }

    private static void copy(float[] from, float[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
    }
}
