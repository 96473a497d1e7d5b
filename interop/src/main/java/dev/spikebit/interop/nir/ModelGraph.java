package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.zoo.BasicBlock;
import dev.spikebit.core.models.zoo.MsBlock;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.neuron.ReverbLif;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Dropout;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Normalize;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryLayer;
import dev.spikebit.quant.binary.ScaledSign;
import dev.spikebit.quant.subbit.SubBitConv2d;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spikebit classifier laid out as a NIR graph, and which of the model's layers each node comes
 * from. The export writes the graph; the import lays a freshly built zoo model out the same way
 * and matches a file's graph against it node for node, so both directions share one layout.
 *
 * <p>Layout: one node per layer, shapes without the batch axis, a batch norm folded into the conv
 * or linear layer before it. A tdBN basic block becomes {@code conv1, spike1, conv2} on the branch,
 * {@code shortcut} (a 1x1 conv, when the block projects) on the shortcut, and {@code spike2} with
 * two incoming edges, one from {@code conv2} and one from the shortcut (or the block's input):
 * NIR sums the edges into a node, which is the block's addition. Node names are the layer's place
 * in the model: {@code stem_0}, {@code body_3}, {@code body_3_conv1}, ...
 *
 * @param graph   the NIR graph
 * @param origins for every node with parameters, the layer (and the batch norm folded into it)
 */
public record ModelGraph(NirGraph graph, Map<String, Origin> origins) {
    /** The conv or linear layer a node comes from, and the batch norm after it (or null). */
    public record Origin(Module layer, BatchNorm bn) {}

    public ModelGraph {
        origins = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(origins));
    }

    /**
     * Lays the model out.
     *
     * @throws SpikebitException naming the layer NIR has no exact form for, and why
     */
    public static ModelGraph of(SpikingClassifier model, double dt) {
        ModelSpec spec = model.spec();
        if (spec.spikes() == SpikeKind.REAL) {
            throw new SpikebitException(spec.model() + " has real-valued (ReverB) spikes: NIR has no primitive for a "
                    + "neuron that emits its membrane potential at a spike, so it cannot be exported");
        }
        Builder b = new Builder(spec, dt);
        b.layers("stem_", model.stem().layers());
        b.layers("body_", model.body().layers());
        b.nodes.put("output", new NirNode.Output(b.shape.clone()));
        b.connect("output");
        return new ModelGraph(new NirGraph(NirFile.WRITER_VERSION, b.nodes, b.edges, dt), b.origins);
    }

    private static final class Builder {
        final ModelSpec spec;
        final double dt;
        final Map<String, NirNode> nodes = new LinkedHashMap<>();
        final List<NirGraph.Edge> edges = new ArrayList<>();
        final Map<String, Origin> origins = new LinkedHashMap<>();
        /** The nodes whose outputs sum into the current value. */
        List<String> sources = List.of("input");
        /** The current value's shape without the batch axis. */
        int[] shape;

        Builder(ModelSpec spec, double dt) {
            this.spec = spec;
            this.dt = dt;
            this.shape = new int[] {spec.inChannels(), spec.inSize(), spec.inSize()};
            nodes.put("input", new NirNode.Input(shape.clone()));
        }

        /** Edges from the current sources into a new node, which becomes the only source. */
        void connect(String name) {
            for (String from : sources) {
                edges.add(new NirGraph.Edge(from, name));
            }
            sources = List.of(name);
        }

        void add(String name, NirNode node) {
            nodes.put(name, node);
            connect(name);
        }

        void layers(String prefix, List<Module> layers) {
            for (int i = 0; i < layers.size(); i++) {
                Module layer = layers.get(i);
                String name = prefix + i;
                BatchNorm next = i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm bn ? bn : null;
                switch (layer) {
                    case Conv2d conv -> {
                        conv(name, conv, next);
                        i += next == null ? 0 : 1;
                    }
                    case Linear linear -> {
                        linear(name, linear, next);
                        i += next == null ? 0 : 1;
                    }
                    case BatchNorm bn ->
                        throw new SpikebitException(spec.model() + ": layer " + name + " (" + bn.describe()
                                + ") follows no conv or linear layer to fold into; NIR has no batch-norm node");
                    case ReverbLif r -> throw realSpikes(name);
                    case LIFNode neuron -> neuron(name, neuron);
                    case AvgPool2d pool -> pool(name, pool);
                    case Flatten f -> {
                        add(name, new NirNode.Flatten(0, -1, shape.clone()));
                        int n = 1;
                        for (int d : shape) {
                            n *= d;
                        }
                        shape = new int[] {n};
                    }
                    case Dropout d -> {
                        // the identity at inference
                    }
                    case BasicBlock block -> basicBlock(name, block);
                    case MsBlock block ->
                        throw new SpikebitException(spec.model() + ": layer " + name + " is a membrane-shortcut block, "
                                + "whose blocks add pre-activations that feed two layers each; NIR has no addition "
                                + "node, so the sums would have to be spread over the edges of every later block, "
                                + "and the export does not write that (tdBN basic blocks export)");
                    case Normalize n ->
                        throw new SpikebitException(spec.model() + " normalises its input: NIR has no node for a "
                                + "per-channel (x - mean) / std that the first conv's zero padding sees; export a model "
                                + "that takes raw pixels, such as fmnist-cnn-avg");
                    case MaxPool2d p ->
                        throw new SpikebitException(spec.model() + " uses max pooling, which NIR has no node for; "
                                + "export a model with average pooling, such as fmnist-cnn-avg");
                    default ->
                        throw new SpikebitException(spec.model() + ": layer " + name + " (" + layer.describe()
                                + ") has no NIR form (NIR export takes conv, linear, BN, LIF, average pooling, "
                                + "flatten and tdBN basic blocks)");
                }
            }
        }

        /**
         * The block's branch and shortcut read the same sources; the output neuron takes the edges
         * of both, which NIR sums.
         */
        void basicBlock(String name, BasicBlock block) {
            Map<String, Module> parts = block.children();
            List<String> in = sources;
            int[] inShape = shape;
            conv(name + "_conv1", (Conv2d) parts.get("conv1"), (BatchNorm) parts.get("bn1"));
            neuron(name + "_spike1", parts.get("spike1"));
            conv(name + "_conv2", (Conv2d) parts.get("conv2"), (BatchNorm) parts.get("bn2"));
            List<String> sum = new ArrayList<>(sources);
            int[] outShape = shape;
            Map<String, Module> shortcut = parts.get("shortcut").children();
            if (shortcut.containsKey("conv")) {
                sources = in;
                shape = inShape;
                conv(name + "_shortcut", (Conv2d) shortcut.get("conv"), (BatchNorm) shortcut.get("bn"));
                sum.addAll(sources);
            } else {
                sum.addAll(in);
            }
            sources = sum;
            shape = outShape;
            neuron(name + "_spike2", parts.get("spike2"));
        }

        void conv(String name, Conv2d conv, BatchNorm bn) {
            int k = conv.kernel();
            int out = (shape[1] + 2 * conv.padding() - k) / conv.stride() + 1;
            float[][] wb = folded(weightValues(conv), conv.bias(), conv.outChannels(), bn);
            add(
                    name,
                    new NirNode.Conv2d(
                            NirArray.of(wb[0], conv.outChannels(), conv.inChannels(), k, k),
                            NirArray.of(wb[1], conv.outChannels()),
                            new int[] {conv.stride(), conv.stride()},
                            new int[] {conv.padding(), conv.padding()},
                            new int[] {1, 1},
                            1,
                            new int[] {shape[1], shape[2]}));
            origins.put(name, new Origin(conv, bn));
            shape = new int[] {conv.outChannels(), out, out};
        }

        void linear(String name, Linear linear, BatchNorm bn) {
            float[][] wb = folded(weightValues(linear), linear.bias(), linear.outFeatures(), bn);
            add(
                    name,
                    new NirNode.Affine(
                            NirArray.of(wb[0], linear.outFeatures(), linear.inFeatures()),
                            NirArray.of(wb[1], linear.outFeatures())));
            origins.put(name, new Origin(linear, bn));
            shape = new int[] {linear.outFeatures()};
        }

        void neuron(String name, Module layer) {
            if (!(layer instanceof LIFNode neuron) || layer instanceof ReverbLif) {
                throw realSpikes(name);
            }
            if (neuron.config().output() != OutputMode.BINARY) {
                throw realSpikes(name);
            }
            add(name, NeuronMapping.toNir(neuron.config(), dt, shape.clone()));
        }

        void pool(String name, AvgPool2d pool) {
            if (pool.isGlobal() && shape[1] != shape[2]) {
                throw new SpikebitException(spec.model() + ": layer " + name + " pools a non-square map globally");
            }
            int k = pool.isGlobal() ? shape[1] : pool.kernel();
            int s = pool.isGlobal() ? shape[1] : pool.stride();
            add(name, new NirNode.AvgPool2d(new int[] {k, k}, new int[] {s, s}, new int[] {0, 0}));
            int out = (shape[1] - k) / s + 1;
            shape = new int[] {shape[0], out, out};
        }

        SpikebitException realSpikes(String name) {
            return new SpikebitException(
                    spec.model() + ": layer " + name + " emits real-valued spikes; NIR has no " + "primitive for them");
        }
    }

    /**
     * The weights the layer computes with: the values themselves, {@code alpha[c] * sign(W)} for a
     * binary layer, {@code alpha[c] * codeword} for a sub-bit conv (each kernel's selected sign
     * pattern), so that the node computes exactly what the layer does.
     */
    static float[] weightValues(Module layer) {
        float[] signs;
        float[] alpha;
        switch (layer) {
            case SubBitConv2d s -> {
                signs = s.selectedSigns();
                alpha = s.amplitudes();
            }
            case BinaryLayer b -> {
                signs = b.latentWeight().data().clone();
                for (int i = 0; i < signs.length; i++) {
                    signs[i] = ScaledSign.sign(signs[i]);
                }
                alpha = b.amplitudes();
            }
            case Conv2d c -> {
                return c.weight().data().clone();
            }
            case Linear l -> {
                return l.weight().data().clone();
            }
            default -> throw new IllegalArgumentException("not a weight layer: " + layer.describe());
        }
        int fanIn = signs.length / alpha.length;
        float[] out = new float[signs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = alpha[i / fanIn] * signs[i];
        }
        return out;
    }

    /** {@code {W', b'}} with the BN (if any) folded in, as BatchNormOp computes scale and shift. */
    static float[][] folded(float[] weight, Tensor bias, int outputs, BatchNorm bn) {
        float[] b = bias == null ? new float[outputs] : bias.data().clone();
        if (bn == null) {
            return new float[][] {weight, b};
        }
        int per = weight.length / outputs;
        float[] gamma = bn.gamma().data();
        float[] beta = bn.beta().data();
        for (int c = 0; c < outputs; c++) {
            float invStd = (float) (1.0 / Math.sqrt(bn.runningVar()[c] + bn.eps()));
            float scale = gamma[c] * invStd;
            float shift = beta[c] - bn.runningMean()[c] * scale;
            for (int k = 0; k < per; k++) {
                weight[c * per + k] *= scale;
            }
            b[c] = b[c] * scale + shift;
        }
        return new float[][] {weight, b};
    }
}
