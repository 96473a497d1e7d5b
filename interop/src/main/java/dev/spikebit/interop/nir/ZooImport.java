package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Dropout;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.quant.binary.QuantModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Puts a NIR graph into a zoo model, so that the result is an ordinary spikebit checkpoint that
 * {@code eval}, fine-tuning, {@code compress} and {@code deploy} take. A graph fits a zoo entry
 * when it is a chain whose nodes are, in order, the entry's layers: a NIR Conv2d for each conv
 * (its bias goes into the BN after the conv, set to the identity so that {@code BN(x) = x + bias}
 * exactly), Affine or Linear for each linear layer, LIF or IF for each neuron (all with the same
 * constants, which become the spec's {@code tau} and {@code vth}), AvgPool2d and Flatten as such.
 * Every zoo entry is tried; when none fits, the error says for each why.
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
     */
    public static Result toZoo(NirGraph graph, double dt, int timeSteps) {
        double step = Double.isNaN(dt) ? graph.timeStep() : dt;
        List<String> chain = chain(graph);
        NeuronMapping.Mapped neuron = commonNeuron(graph, chain, step);
        NirNode.Input input = (NirNode.Input) graph.nodes().get(chain.getFirst());
        List<String> reasons = new ArrayList<>();
        for (ModelZoo.Entry entry : ModelZoo.entries()) {
            int[] wanted = {entry.inChannels(), entry.inSize(), entry.inSize()};
            if (!Arrays.equals(input.shape(), wanted)) {
                reasons.add(entry.name() + ": input " + Arrays.toString(wanted) + ", the graph's is "
                        + Arrays.toString(input.shape()));
                continue;
            }
            ModelSpec defaults = ModelZoo.defaultSpec(entry.name());
            ModelSpec spec = new ModelSpec(
                    entry.name(),
                    timeSteps > 0 ? timeSteps : entry.timeSteps(),
                    entry.inChannels(),
                    entry.inSize(),
                    outputs(graph, chain),
                    "binary",
                    "fp",
                    false,
                    defaults.surrogate(),
                    neuron == null ? defaults.tau() : neuron.tau(),
                    neuron == null ? defaults.vth() : neuron.vth(),
                    defaults.detachReset());
            SpikingClassifier model;
            try {
                model = QuantModels.build(spec, 0);
            } catch (SpikebitException e) {
                reasons.add(entry.name() + ": " + e.getMessage());
                continue;
            }
            String mismatch = fill(graph, chain, model);
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
        throw new SpikebitException("NIR graph fits no zoo model, so it cannot become a checkpoint (it can still run, "
                + "see docs/interop.md):\n  " + String.join("\n  ", reasons));
    }

    /** The node names from Input to Output, each node with one input and one output. */
    private static List<String> chain(NirGraph graph) {
        graph.topologicalOrder(); // refuses cycles with the node's name
        String start = null;
        for (var e : graph.nodes().entrySet()) {
            if (e.getValue() instanceof NirNode.Input) {
                start = e.getKey();
            }
        }
        if (start == null) {
            throw new SpikebitException("NIR graph has no Input node");
        }
        List<String> chain = new ArrayList<>();
        String at = start;
        while (true) {
            chain.add(at);
            NirNode node = graph.nodes().get(at);
            if (node instanceof NirNode.Output) {
                break;
            }
            List<String> next = graph.outputsOf(at);
            if (next.size() != 1 || graph.inputsOf(next.getFirst()).size() != 1) {
                throw NeuronMapping.refuse(
                        at,
                        node,
                        "the graph branches here; zoo models import from chains "
                                + "(a residual graph runs as a NIR network, see docs/interop.md)");
            }
            at = next.getFirst();
        }
        if (chain.size() != graph.nodes().size()) {
            throw new SpikebitException("NIR graph has nodes outside the chain from Input to Output");
        }
        return chain;
    }

    private static NeuronMapping.Mapped commonNeuron(NirGraph graph, List<String> chain, double dt) {
        NeuronMapping.Mapped common = null;
        String first = null;
        for (String name : chain) {
            NeuronMapping.Mapped m = switch (graph.nodes().get(name)) {
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
                        graph.nodes().get(name),
                        "maps to tau " + m.tau() + ", threshold "
                                + m.vth() + " but node \"" + first + "\" to tau " + common.tau() + ", threshold "
                                + common.vth()
                                + ": a zoo model has one neuron for all layers");
            }
        }
        return common;
    }

    private static int outputs(NirGraph graph, List<String> chain) {
        int[] shape = ((NirNode.Output) graph.nodes().get(chain.getLast())).shape();
        return shape.length == 1 ? shape[0] : -1;
    }

    /** Copies the chain's parameters into the model; returns why they do not fit, or null. */
    private static String fill(NirGraph graph, List<String> chain, SpikingClassifier model) {
        List<Module> layers = new ArrayList<>(model.stem().layers());
        layers.addAll(model.body().layers());
        layers.removeIf(m -> m instanceof Dropout);
        int n = 1; // chain[0] is the Input
        for (int z = 0; z < layers.size(); z++, n++) {
            Module layer = layers.get(z);
            String name = chain.get(n);
            NirNode node = graph.nodes().get(name);
            String where = "layer " + layer.describe() + " vs NIR node \"" + name + "\" (" + node.type() + ")";
            switch (layer) {
                case Conv2d conv
                when conv.getClass() == Conv2d.class -> {
                    if (!(node instanceof NirNode.Conv2d c)) {
                        return where;
                    }
                    int[] w = c.weight().shape();
                    if (!Arrays.equals(w, conv.weight().shape())
                            || c.stride()[0] != conv.stride()
                            || c.stride()[1] != conv.stride()
                            || c.padding()[0] != conv.padding()
                            || c.padding()[1] != conv.padding()
                            || c.dilation()[0] != 1
                            || c.dilation()[1] != 1
                            || c.groups() != 1) {
                        return where + ": shape, stride, padding, dilation or groups differ";
                    }
                    copy(c.weight().data(), conv.weight().data());
                    if (conv.bias() != null) {
                        copy(c.bias().data(), conv.bias().data());
                    } else if (z + 1 < layers.size() && layers.get(z + 1) instanceof BatchNorm bn) {
                        identityWithShift(bn, c.bias().data());
                        z++;
                    } else if (!c.bias().allZero()) {
                        return where + ": the NIR conv has a bias, the zoo conv has none and no BN after it";
                    }
                }
                case Linear linear
                when linear.getClass() == Linear.class -> {
                    NirArray weight;
                    NirArray bias;
                    if (node instanceof NirNode.Affine a) {
                        weight = a.weight();
                        bias = a.bias();
                    } else if (node instanceof NirNode.Linear l) {
                        weight = l.weight();
                        bias = null;
                    } else {
                        return where;
                    }
                    if (!Arrays.equals(weight.shape(), linear.weight().shape())) {
                        return where + ": weight " + Arrays.toString(weight.shape()) + ", zoo "
                                + Arrays.toString(linear.weight().shape());
                    }
                    copy(weight.data(), linear.weight().data());
                    if (linear.bias() != null) {
                        float[] b = bias == null ? new float[linear.outFeatures()] : bias.data();
                        copy(b, linear.bias().data());
                    } else if (bias != null && !bias.allZero()) {
                        return where + ": the NIR layer has a bias, the zoo layer has none";
                    }
                }
                case LIFNode neuron -> {
                    if (!(node instanceof NirNode.Lif || node instanceof NirNode.IntegrateAndFire)) {
                        return where;
                    }
                }
                case AvgPool2d pool
                when !pool.isGlobal() -> {
                    if (!(node instanceof NirNode.AvgPool2d p)
                            || p.kernel()[0] != pool.kernel()
                            || p.kernel()[1] != pool.kernel()
                            || p.stride()[0] != pool.stride()
                            || p.stride()[1] != pool.stride()
                            || p.padding()[0] != 0
                            || p.padding()[1] != 0) {
                        return where;
                    }
                }
                case Flatten flatten -> {
                    if (!(node instanceof NirNode.Flatten f) || f.startDim() != 0 || f.endDim() != -1) {
                        return where;
                    }
                }
                default -> {
                    return "layer " + layer.describe() + " has no NIR counterpart";
                }
            }
        }
        if (n != chain.size() - 1) {
            return "the graph has " + (chain.size() - 2) + " nodes between Input and Output, the model fewer layers";
        }
        return null;
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
