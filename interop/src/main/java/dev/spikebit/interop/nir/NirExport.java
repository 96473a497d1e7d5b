package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
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
import dev.spikebit.quant.binary.BinaryLayer;
import dev.spikebit.quant.binary.ScaledSign;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a spikebit classifier as a NIR graph, the way NIR's reference and snnTorch's exporter lay
 * one out: a chain {@code input -> ... -> output}, one node per layer, shapes without the batch
 * axis. Batch norms are folded into the conv or linear layer before them
 * ({@code W' = W * s}, {@code b' = b * s + beta - mean * s} with {@code s = gamma / sqrt(var + eps)}),
 * binary weights are written as their values {@code alpha[c] * sign(W)}, neurons as LIF (or IF
 * without leak) with {@code tau = dt / (1 - tau')}, {@code r = tau / dt} (see {@link NeuronMapping}).
 * The time step is recorded in the graph's metadata as {@code dt}.
 *
 * <p>Refused, with the reason: real-valued (ReverB) spikes, which NIR has no primitive for; the
 * input normalisation and max pooling, which it has no node for; sub-bit weights (export the binary
 * model they were compressed from); residual blocks.
 *
 * <p>NIR has no readout: a consumer gets the last layer's outputs at every step, and spikebit's
 * prediction is the class with the largest mean (or sum) over the T steps.
 */
public final class NirExport {
    /** The step written when none is asked for: snnTorch's exporter and importer use 1e-4 s. */
    public static final double DEFAULT_DT = 1e-4;

    private NirExport() {}

    public static NirGraph export(SpikingClassifier model, double dt) {
        ModelSpec spec = model.spec();
        if (spec.spikes().equals("real")) {
            throw new SpikebitException(spec.model() + " has real-valued (ReverB) spikes: NIR has no primitive for a "
                    + "neuron that emits its membrane potential at a spike, so it cannot be exported");
        }
        if (spec.weights().equals("sub-bit")) {
            throw new SpikebitException(spec.model() + " has sub-bit weights: NIR stores weights as values, so export "
                    + "the binary checkpoint the sub-bit model was compressed from (or deploy it)");
        }
        List<Module> layers = new ArrayList<>(model.stem().layers());
        layers.addAll(model.body().layers());
        Map<String, NirNode> nodes = new LinkedHashMap<>();
        int[] shape = {spec.inChannels(), spec.inSize(), spec.inSize()};
        nodes.put("input", new NirNode.Input(shape.clone()));
        String[] prefix = {"stem_", "body_"};
        int stemSize = model.stem().layers().size();
        for (int i = 0; i < layers.size(); i++) {
            Module layer = layers.get(i);
            String name = i < stemSize ? prefix[0] + i : prefix[1] + (i - stemSize);
            BatchNorm bn = i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm b ? b : null;
            switch (layer) {
                case Conv2d conv -> {
                    int[] in = shape.clone();
                    int k = conv.kernel();
                    int out = (shape[1] + 2 * conv.padding() - k) / conv.stride() + 1;
                    float[][] wb =
                            folded(weightValues(conv, conv.weight().data()), conv.bias(), conv.outChannels(), bn);
                    nodes.put(
                            name,
                            new NirNode.Conv2d(
                                    NirArray.of(wb[0], conv.outChannels(), conv.inChannels(), k, k),
                                    NirArray.of(wb[1], conv.outChannels()),
                                    new int[] {conv.stride(), conv.stride()},
                                    new int[] {conv.padding(), conv.padding()},
                                    new int[] {1, 1},
                                    1,
                                    new int[] {in[1], in[2]}));
                    shape = new int[] {conv.outChannels(), out, out};
                }
                case Linear linear -> {
                    float[][] wb = folded(
                            weightValues(linear, linear.weight().data()), linear.bias(), linear.outFeatures(), bn);
                    nodes.put(
                            name,
                            new NirNode.Affine(
                                    NirArray.of(wb[0], linear.outFeatures(), linear.inFeatures()),
                                    NirArray.of(wb[1], linear.outFeatures())));
                    shape = new int[] {linear.outFeatures()};
                }
                case BatchNorm b -> {
                    boolean afterWeights =
                            i > 0 && (layers.get(i - 1) instanceof Conv2d || layers.get(i - 1) instanceof Linear);
                    if (!afterWeights) {
                        throw new SpikebitException(spec.model() + ": layer " + i + " (" + b.describe()
                                + ") follows no " + "conv or linear layer to fold into; NIR has no batch-norm node");
                    }
                }
                case ReverbLif r ->
                    throw new SpikebitException(spec.model() + ": layer " + i + " emits real-valued spikes; NIR has no "
                            + "primitive for them");
                case LIFNode neuron -> {
                    if (neuron.config().output() != OutputMode.BINARY) {
                        throw new SpikebitException(spec.model() + ": layer " + i + " emits real-valued spikes; NIR "
                                + "has no primitive for them");
                    }
                    nodes.put(name, NeuronMapping.toNir(neuron.config(), dt, shape.clone()));
                }
                case AvgPool2d pool -> {
                    int k = pool.isGlobal() ? shape[1] : pool.kernel();
                    int s = pool.isGlobal() ? shape[1] : pool.stride();
                    if (pool.isGlobal() && shape[1] != shape[2]) {
                        throw new SpikebitException(spec.model() + ": global pooling of a non-square map");
                    }
                    nodes.put(name, new NirNode.AvgPool2d(new int[] {k, k}, new int[] {s, s}, new int[] {0, 0}));
                    int out = (shape[1] - k) / s + 1;
                    shape = new int[] {shape[0], out, out};
                }
                case Flatten f -> {
                    nodes.put(name, new NirNode.Flatten(0, -1, shape.clone()));
                    int n = 1;
                    for (int d : shape) {
                        n *= d;
                    }
                    shape = new int[] {n};
                }
                case Dropout d -> {
                    // the identity at inference
                }
                case Normalize n ->
                    throw new SpikebitException(spec.model() + " normalises its input: NIR has no node for a "
                            + "per-channel (x - mean) / std that the first conv's zero padding sees; export a model "
                            + "that takes raw pixels, such as fmnist-cnn-avg");
                case MaxPool2d p ->
                    throw new SpikebitException(spec.model() + " uses max pooling, which NIR has no node for; export a "
                            + "model with average pooling, such as fmnist-cnn-avg");
                default ->
                    throw new SpikebitException(
                            spec.model() + ": layer " + i + " (" + layer.describe() + ") has no NIR "
                                    + "form (NIR export takes chains of conv, linear, BN, LIF, average pooling and flatten)");
            }
        }
        nodes.put("output", new NirNode.Output(shape.clone()));
        List<NirGraph.Edge> edges = new ArrayList<>();
        List<String> names = new ArrayList<>(nodes.keySet());
        for (int i = 0; i + 1 < names.size(); i++) {
            edges.add(new NirGraph.Edge(names.get(i), names.get(i + 1)));
        }
        return new NirGraph(NirFile.WRITER_VERSION, nodes, edges, dt);
    }

    /** The weights the layer computes with: the values themselves, or {@code alpha[c] * sign(W)}. */
    private static float[] weightValues(Module layer, float[] weights) {
        if (!(layer instanceof BinaryLayer b)) {
            return weights.clone();
        }
        float[] latent = b.latentWeight().data();
        float[] alpha = b.amplitudes();
        int fanIn = b.fanIn();
        float[] out = new float[latent.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = alpha[i / fanIn] * ScaledSign.sign(latent[i]);
        }
        return out;
    }

    /** {@code {W', b'}} with the BN (if any) folded in, as BatchNormOp computes scale and shift. */
    private static float[][] folded(float[] weight, dev.spikebit.core.tensor.Tensor bias, int outputs, BatchNorm bn) {
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
