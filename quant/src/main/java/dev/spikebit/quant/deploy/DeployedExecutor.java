package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.ops.LinearOp;
import dev.spikebit.core.ops.Pooling;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Shapes;
import dev.spikebit.core.tensor.Tensor;
import java.util.List;

/**
 * The reference executor of a {@link DeployedModel}: runs it in float32 on static images
 * {@code [B, C, H, W]} with direct encoding, the part before the repeat node once, the rest at
 * each of the T steps, and returns the mean over T of the last layer.
 *
 * <p>It is written to be obviously right rather than fast. The sign layers compute with additions
 * and subtractions only: for each packed bit they add or subtract an input, and never multiply by
 * a weight. Full-precision layers, pooling and the batch-norm affine maps go through the same
 * operations as the training network ({@link Conv2dOp}, {@link LinearOp}, {@link Pooling}), so a
 * full-precision stem gives bit-identical results. The neuron update is the LIF of
 * {@link DeployedNode.Neuron}, written with the same float operations as the training kernel.
 * The outputs of nodes that a later node names as its input (the operands of a residual
 * {@link DeployedNode.Add}, the block input a projection shortcut reads) are kept.
 */
public final class DeployedExecutor {
    /**
     * Watches a run: called after every node with its input and output, {@code batch} samples
     * each laid out one after the other.
     */
    @FunctionalInterface
    public interface Observer {
        /**
         * @param index  the node's index in the model
         * @param step   the time step, or -1 for the nodes before the repeat node (run once)
         * @param input  the node's input, {@code batch x} its input size (for an add, its first operand)
         * @param output the node's output, {@code batch x} its output size
         */
        void afterNode(int index, DeployedNode node, int step, float[] input, float[] output, int batch);

        /** Whether {@link #potentials} should be called; off by default because it costs a copy. */
        default boolean wantsPotentials() {
            return false;
        }

        /**
         * The pre-spike potentials {@code U[t]} of a neuron node at one step, in the node's own
         * units (after a folded binary layer, {@code H / k}), before the reset.
         */
        default void potentials(int index, DeployedNode.Neuron node, int step, float[] potentials, int batch) {}
    }

    private static final Observer NONE = (index, node, step, input, output, batch) -> {};

    private DeployedExecutor() {}

    /** Class scores {@code [B, classes]} (row-major) for {@code batch} images of the model's input shape. */
    public static float[] logits(DeployedModel model, float[] images, int batch) {
        return run(model, images, batch, NONE);
    }

    /** {@link #logits} with an observer. */
    public static float[] run(DeployedModel model, float[] images, int batch, Observer observer) {
        int[] inputShape = model.inputShape();
        long perImage = Shapes.count(inputShape);
        if (batch < 1 || perImage * batch != images.length) {
            throw new SpikebitException("deployed model " + model.model() + ": " + images.length
                    + " input values are not " + batch + " images of shape " + java.util.Arrays.toString(inputShape));
        }
        List<DeployedNode> nodes = model.nodes();
        // A sub-bit layer runs as the sign layer its codewords spell out, unpacked once per call.
        List<DeployedNode> exec = nodes.stream()
                .map(n -> n instanceof DeployedNode.CodewordConv c ? (DeployedNode) c.toSignConv() : n)
                .toList();
        List<int[]> shapes = model.outputShapes();
        int[][] sources = new int[nodes.size()][];
        int[][] inShapes = new int[nodes.size()][];
        // The outputs that some node reads besides its successor (the operands of residual additions) are kept.
        boolean[] kept = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            sources[i] = model.sources(i);
            inShapes[i] = sources[i][0] < 0 ? inputShape : shapes.get(sources[i][0]);
            if (model.inputs().containsKey(nodes.get(i).name())) {
                for (int source : sources[i]) {
                    kept[source] = true;
                }
            }
        }
        float[][] outputs = new float[nodes.size()][];
        int repeat = model.repeatIndex();
        try (var scope = NoGrad.enter()) {
            float[] x = images;
            for (int i = 0; i <= repeat; i++) {
                float[] in = input(sources[i], i, x, images, outputs);
                float[] y = node(exec.get(i), in, inShapes[i], sources[i], outputs, batch);
                observer.afterNode(i, nodes.get(i), -1, in, y, batch);
                outputs[i] = kept[i] ? y : null;
                x = y;
            }
            float[] encoded = x;
            float[][] state = new float[nodes.size()][];
            for (int i = repeat + 1; i < nodes.size(); i++) {
                if (nodes.get(i) instanceof DeployedNode.Neuron) {
                    state[i] = new float[(int) (Shapes.count(shapes.get(i)) * batch)];
                }
            }
            int last = nodes.size() - 1;
            float[] sum = new float[(int) (Shapes.count(shapes.get(last)) * batch)];
            for (int t = 0; t < model.timeSteps(); t++) {
                x = encoded;
                for (int i = repeat + 1; i < last; i++) {
                    DeployedNode node = nodes.get(i);
                    float[] in = input(sources[i], i, x, images, outputs);
                    float[] y;
                    if (node instanceof DeployedNode.Neuron neuron) {
                        float[] h = observer.wantsPotentials() ? new float[in.length] : null;
                        y = neuron(neuron, in, inShapes[i], state[i], h);
                        if (h != null) {
                            observer.potentials(i, neuron, t, h, batch);
                        }
                    } else {
                        y = node(exec.get(i), in, inShapes[i], sources[i], outputs, batch);
                    }
                    observer.afterNode(i, node, t, in, y, batch);
                    outputs[i] = kept[i] ? y : null;
                    x = y;
                }
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += x[j];
                }
                observer.afterNode(last, nodes.get(last), t, x, x, batch);
            }
            // The training readout's arithmetic: sum over steps in order, then times 1/T.
            float inv = 1f / model.timeSteps();
            for (int j = 0; j < sum.length; j++) {
                sum[j] *= inv;
            }
            return sum;
        }
    }

    /**
     * What node {@code index} reads: its predecessor's output {@code previous} (the images for the
     * first node), or the kept output of the node its model names.
     */
    private static float[] input(int[] sources, int index, float[] previous, float[] images, float[][] outputs) {
        int source = sources[0];
        if (source == index - 1) {
            return previous;
        }
        return source < 0 ? images : outputs[source];
    }

    /** Runs a stateless node; an add reads its second operand from the kept outputs. */
    private static float[] node(DeployedNode node, float[] x, int[] in, int[] sources, float[][] outputs, int batch) {
        if (node instanceof DeployedNode.Add) {
            return add(x, outputs[sources[1]]);
        }
        return apply(node, x, in, batch);
    }

    /** The element-wise sum {@code a + b}, as the training network's residual addition computes it. */
    private static float[] add(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** Runs a stateless node (every node but the neurons) on a batch. */
    private static float[] apply(DeployedNode node, float[] x, int[] in, int batch) {
        return switch (node) {
            case DeployedNode.Normalize n -> normalize(n, x, in);
            case DeployedNode.Conv c ->
                Conv2dOp.conv2d(
                                Tensor.of(x, batchShape(batch, in)),
                                Tensor.of(c.weight(), c.outChannels(), c.inChannels(), c.kernel(), c.kernel()),
                                c.bias() == null ? null : Tensor.of(c.bias(), c.outChannels()),
                                c.stride(),
                                c.padding())
                        .data();
            case DeployedNode.SignConv c -> SignKernels.conv(c, x, in, batch);
            case DeployedNode.CodewordConv c -> SignKernels.conv(c.toSignConv(), x, in, batch);
            case DeployedNode.Linear l ->
                LinearOp.linear(
                                Tensor.of(x, batch, l.inFeatures()),
                                Tensor.of(l.weight(), l.outFeatures(), l.inFeatures()),
                                l.bias() == null ? null : Tensor.of(l.bias(), l.outFeatures()))
                        .data();
            case DeployedNode.SignLinear l -> SignKernels.linear(l, x, batch);
            case DeployedNode.Affine a -> affine(a, x, in);
            case DeployedNode.Neuron n ->
                throw new IllegalStateException("neuron " + n.name() + " outside the time loop");
            case DeployedNode.MaxPool p ->
                Pooling.maxPool2d(Tensor.of(x, batchShape(batch, in)), p.kernel(), p.stride())
                        .data();
            case DeployedNode.AvgPool p ->
                p.isGlobal()
                        ? Pooling.avgPool2d(Tensor.of(x, batchShape(batch, in)), in[1], in[1])
                                .data()
                        : Pooling.avgPool2d(Tensor.of(x, batchShape(batch, in)), p.kernel(), p.stride())
                                .data();
            case DeployedNode.Add a -> throw new IllegalStateException("add " + a.name() + " needs its two operands");
            case DeployedNode.Flatten f -> x;
            case DeployedNode.Repeat r -> x;
            case DeployedNode.MeanOverTime m -> x;
        };
    }

    /** {@code (x - mean[c]) * (1 / std[c])}, as the training network's Normalize computes it. */
    private static float[] normalize(DeployedNode.Normalize n, float[] x, int[] in) {
        int channels = in[0];
        int plane = in[1] * in[2];
        float[] inv = new float[channels];
        for (int c = 0; c < channels; c++) {
            inv[c] = 1f / n.std()[c];
        }
        float[] mean = n.mean();
        float[] out = new float[x.length];
        for (int base = 0; base < x.length; base += channels * plane) {
            for (int c = 0; c < channels; c++) {
                for (int i = base + c * plane, end = i + plane; i < end; i++) {
                    out[i] = (x[i] - mean[c]) * inv[c];
                }
            }
        }
        return out;
    }

    /** {@code x * scale[c] + shift[c]}, as the training network's evaluation-mode batch norm computes it. */
    private static float[] affine(DeployedNode.Affine a, float[] x, int[] in) {
        int channels = in[0];
        int plane = (int) (Shapes.count(in) / channels);
        float[] out = new float[x.length];
        for (int base = 0; base < x.length; base += channels * plane) {
            for (int c = 0; c < channels; c++) {
                float scale = a.scale()[c];
                float shift = a.shift()[c];
                for (int i = base + c * plane, end = i + plane; i < end; i++) {
                    out[i] = x[i] * scale + shift;
                }
            }
        }
        return out;
    }

    /**
     * One step of the LIF neurons of {@link DeployedNode.Neuron}; {@code u} is their state and
     * {@code potentials}, if not null, receives the pre-spike potentials.
     */
    private static float[] neuron(DeployedNode.Neuron n, float[] x, int[] in, float[] u, float[] potentials) {
        int channels = n.channels();
        int plane = (int) (Shapes.count(in) / channels);
        float tau = n.tau();
        boolean real = n.output() == OutputMode.REAL;
        float[] out = new float[x.length];
        for (int base = 0; base < x.length; base += channels * plane) {
            for (int c = 0; c < channels; c++) {
                float threshold = n.threshold()[c];
                boolean hasBias = n.bias() != null;
                float bias = hasBias ? n.bias()[c] : 0f;
                float scale = n.scale() != null ? n.scale()[c] : 1f;
                boolean scaled = n.scale() != null;
                for (int i = base + c * plane, end = i + plane; i < end; i++) {
                    float h = hasBias ? tau * u[i] + (x[i] + bias) : tau * u[i] + x[i];
                    if (potentials != null) {
                        potentials[i] = h;
                    }
                    if (h >= threshold) {
                        out[i] = real ? (scaled ? scale * h : h) : 1f;
                        u[i] = 0f;
                    } else {
                        u[i] = h;
                    }
                }
            }
        }
        return out;
    }

    private static int[] batchShape(int batch, int[] sample) {
        return Shapes.prepend(batch, sample);
    }
}
