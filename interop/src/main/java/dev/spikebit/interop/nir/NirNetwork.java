package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A NIR graph as a spikebit network: every node becomes one of spikebit's layers (conv, linear,
 * LIF, pooling, flatten) or, for the few NIR nodes spikebit's zoo does not use (SumPool2d, Scale,
 * Threshold), a forward-only layer. Any directed acyclic graph runs, residual ones included:
 * the inputs of a node with several incoming edges are summed, as NIR defines. Building refuses
 * every node or parameter that has no exact spikebit form, naming the node and the reason.
 *
 * <p>{@link #forward} takes a multi-step batch {@code [T, B, sample...]}, the sample shaped as the
 * graph's Input node, and returns the Output node's {@code [T, B, ...]}.
 */
public final class NirNetwork extends Module {
    private final NirGraph graph;
    private final List<String> order;
    private final Map<String, Module> layers = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final String input;
    private final String output;

    private NirNetwork(NirGraph graph, double dt) {
        this.graph = graph;
        this.order = graph.topologicalOrder();
        String in = null;
        String out = null;
        for (String name : order) {
            NirNode node = graph.nodes().get(name);
            switch (node) {
                case NirNode.Input i -> {
                    if (in != null) {
                        throw NeuronMapping.refuse(name, node, "a second Input; spikebit networks have one input");
                    }
                    in = name;
                }
                case NirNode.Output o -> {
                    if (out != null) {
                        throw NeuronMapping.refuse(name, node, "a second Output; spikebit networks have one output");
                    }
                    out = name;
                }
                default -> {
                    Module layer = layer(name, node, dt);
                    layers.put(name, layer);
                    registerModule(name.replace('.', '_'), layer);
                }
            }
            if (!(node instanceof NirNode.Input) && graph.inputsOf(name).isEmpty()) {
                throw NeuronMapping.refuse(name, node, "has no incoming edge");
            }
        }
        if (in == null || out == null) {
            throw new SpikebitException(
                    "NIR graph: needs an Input and an Output node, has " + (in == null ? "no Input" : "no Output"));
        }
        this.input = in;
        this.output = out;
    }

    /**
     * Builds the network of a graph.
     *
     * @param dt the simulation time step in seconds for LIF and IF nodes (NaN: the graph's own, if it records one)
     * @throws SpikebitException naming the first node that cannot be mapped exactly, and why
     */
    public static NirNetwork of(NirGraph graph, double dt) {
        double step = Double.isNaN(dt) ? graph.timeStep() : dt;
        NirNetwork net = new NirNetwork(graph, step);
        net.eval();
        return net;
    }

    public NirGraph graph() {
        return graph;
    }

    /** The shape of one sample, from the Input node. */
    public int[] inputShape() {
        return ((NirNode.Input) graph.nodes().get(input)).shape().clone();
    }

    /** What the mapping did that a reader should know (rescaled membranes), one line each. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** spikebit's layer for each mapped node, in topological order. */
    public Map<String, Module> layers() {
        return java.util.Collections.unmodifiableMap(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (String name : order) {
            Tensor in;
            if (name.equals(input)) {
                in = x;
            } else {
                in = null;
                for (String from : graph.inputsOf(name)) {
                    Tensor v = values.get(from);
                    in = in == null ? v : add(name, in, v);
                }
            }
            Module layer = layers.get(name);
            values.put(name, layer == null ? in : layer.forward(in));
        }
        return values.get(output);
    }

    private static Tensor add(String name, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new SpikebitException("NIR node \"" + name + "\": its inputs have different shapes "
                    + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()));
        }
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.data()[i] + b.data()[i];
        }
        return Tensor.of(out, a.shape());
    }

    private Module layer(String name, NirNode node, double dt) {
        return switch (node) {
            case NirNode.Conv2d c -> conv(name, c);
            case NirNode.Affine a -> linear(name, node, a.weight(), a.bias());
            case NirNode.Linear l -> linear(name, node, l.weight(), null);
            case NirNode.Lif l -> neuron(name, NeuronMapping.lif(name, l, dt));
            case NirNode.IntegrateAndFire f -> neuron(name, NeuronMapping.integrateAndFire(name, f, dt));
            case NirNode.Flatten f -> new SampleFlatten(f.startDim(), f.endDim());
            case NirNode.AvgPool2d p -> {
                requireSquarePool(name, node, p.kernel(), p.stride(), p.padding());
                yield new AvgPool2d(p.kernel()[0], p.stride()[0]);
            }
            case NirNode.SumPool2d p -> {
                if (p.padding()[0] != 0 || p.padding()[1] != 0) {
                    throw NeuronMapping.refuse(name, node, "padding is not supported for pooling");
                }
                yield new SumPool2d(p.kernel(), p.stride());
            }
            case NirNode.Scale s -> new ElementwiseScale(s.scale().data());
            case NirNode.Threshold t -> new Heaviside(t.threshold().data());
            case NirNode.CubaLif c ->
                throw NeuronMapping.refuse(
                        name,
                        node,
                        "spikebit has no neuron with a synaptic current state " + "(tau_syn); only LIF and IF map");
            case NirNode.Subgraph s ->
                throw NeuronMapping.refuse(
                        name,
                        node,
                        "a nested graph (how NIR writes recurrent layers); " + "spikebit's layers are feed-forward");
            case NirNode.Other o -> throw NeuronMapping.refuse(name, node, "spikebit has no layer for this node type");
            case NirNode.Input i -> throw new IllegalStateException("Input is not a layer");
            case NirNode.Output o -> throw new IllegalStateException("Output is not a layer");
        };
    }

    private Module neuron(String name, NeuronMapping.Mapped m) {
        if (m.gain() != 1.0) {
            notes.add("node \"" + name + "\": input gain r*dt/tau = " + m.gain() + " divided out of the membrane "
                    + "(threshold " + m.vth() + ")");
        }
        return new LIFNode(m.config());
    }

    private static Conv2d conv(String name, NirNode.Conv2d c) {
        int[] w = c.weight().shape();
        if (w.length != 4) {
            throw NeuronMapping.refuse(name, c, "weight must be [out, in, kh, kw], has rank " + w.length);
        }
        if (c.groups() != 1) {
            throw NeuronMapping.refuse(name, c, "groups = " + c.groups() + ": spikebit's conv is dense (groups 1)");
        }
        if (c.dilation()[0] != 1 || c.dilation()[1] != 1) {
            throw NeuronMapping.refuse(
                    name,
                    c,
                    "dilation " + c.dilation()[0] + "x" + c.dilation()[1] + ": spikebit's conv has no dilation");
        }
        if (w[2] != w[3]) {
            throw NeuronMapping.refuse(name, c, "kernel " + w[2] + "x" + w[3] + ": spikebit's conv kernels are square");
        }
        if (c.stride()[0] != c.stride()[1] || c.padding()[0] != c.padding()[1]) {
            throw NeuronMapping.refuse(name, c, "stride and padding must be the same in height and width");
        }
        if (c.bias().size() != w[0]) {
            throw NeuronMapping.refuse(name, c, "bias has " + c.bias().size() + " values for " + w[0] + " channels");
        }
        Conv2d conv = new Conv2d(w[1], w[0], w[2], c.stride()[0], c.padding()[0], true, new SplittableRandom(0));
        copy(c.weight().data(), conv.weight());
        copy(c.bias().data(), conv.bias());
        return conv;
    }

    private static Linear linear(String name, NirNode node, NirArray weight, NirArray bias) {
        int[] w = weight.shape();
        if (w.length != 2) {
            throw NeuronMapping.refuse(name, node, "weight must be [out, in], has rank " + w.length);
        }
        if (bias != null && bias.size() != w[0]) {
            throw NeuronMapping.refuse(name, node, "bias has " + bias.size() + " values for " + w[0] + " outputs");
        }
        Linear linear = new Linear(w[1], w[0], bias != null, new SplittableRandom(0));
        copy(weight.data(), linear.weight());
        if (bias != null) {
            copy(bias.data(), linear.bias());
        }
        return linear;
    }

    private static void requireSquarePool(String name, NirNode node, int[] kernel, int[] stride, int[] padding) {
        if (kernel[0] != kernel[1] || stride[0] != stride[1]) {
            throw NeuronMapping.refuse(name, node, "spikebit's pooling windows and strides are square");
        }
        if (padding[0] != 0 || padding[1] != 0) {
            throw NeuronMapping.refuse(name, node, "padding is not supported for pooling");
        }
    }

    private static void copy(float[] from, Tensor to) {
        System.arraycopy(from, 0, to.data(), 0, from.length);
    }
}
