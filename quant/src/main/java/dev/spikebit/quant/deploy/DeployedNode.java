package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.ops.ConvGeometry;
import dev.spikebit.runtime.graph.PackedCodes;
import dev.spikebit.runtime.graph.PackedSigns;
import java.util.Arrays;

/**
 * One operation of a deployed network (docs/methods.md 2, standard form). Each node reads the output of
 * the node before it unless its model names other inputs for it ({@link DeployedModel#inputs()}:
 * the residual {@link Add}, the first node of a projection shortcut); shapes here are per sample
 * and step, without the batch axis. The nodes
 * before {@link Repeat} run once per image; the nodes after it run at every one of the T steps,
 * and {@link MeanOverTime} ends the network.
 *
 * <p>The {@link #kind()} strings are those of the file format (docs/reverb.md). Arrays are held,
 * not copied.
 */
public sealed interface DeployedNode {
    /** The node's name, unique in its network: the dotted path of the training layer it came from. */
    String name();

    /** The node's kind as written in the file. */
    String kind();

    /**
     * The shape this node produces from {@code in}.
     *
     * @throws SpikebitException naming the node if {@code in} does not fit it
     */
    int[] outputShape(int[] in);

    /** Bytes of the node's parameters in the deployed file (0 for parameter-free nodes). */
    default long parameterBytes() {
        return 0;
    }

    // ------------------------------------------------------------------ nodes

    /** Fixed per-channel input normalisation {@code (x - mean[c]) * (1 / std[c])}. */
    record Normalize(String name, float[] mean, float[] std) implements DeployedNode {
        public Normalize {
            requireLength(name, "std", std.length, mean.length);
        }

        public String kind() {
            return "normalize";
        }

        public int[] outputShape(int[] in) {
            requireRank(this, in, 3);
            requireEqual(this, "input channels", in[0], mean.length);
            return in.clone();
        }

        public long parameterBytes() {
            return 4L * (mean.length + std.length);
        }
    }

    /** A full-precision convolution, {@code weight [out, in, k, k]}, optional bias. */
    record Conv(
            String name,
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            float[] weight,
            float[] bias)
            implements DeployedNode {
        public Conv {
            requirePositive(name, "conv", inChannels, outChannels, kernel, stride);
            requireLength(name, "weight", weight.length, (long) outChannels * inChannels * kernel * kernel);
            if (bias != null) {
                requireLength(name, "bias", bias.length, outChannels);
            }
        }

        public String kind() {
            return "conv";
        }

        public int[] outputShape(int[] in) {
            return convShape(this, in, inChannels, outChannels, kernel, stride, padding);
        }

        public long parameterBytes() {
            return 4L * (weight.length + (bias == null ? 0 : bias.length));
        }
    }

    /**
     * A convolution with +-1 weights and no scale: {@code b = sign(W) * x}, computed with additions
     * and subtractions only. Rows of {@code signs} are output channels, row length
     * {@code in * k * k}.
     */
    record SignConv(
            String name, int inChannels, int outChannels, int kernel, int stride, int padding, PackedSigns signs)
            implements DeployedNode {
        public SignConv {
            requirePositive(name, "sign_conv", inChannels, outChannels, kernel, stride);
            requireSigns(name, signs, outChannels, (long) inChannels * kernel * kernel);
        }

        public String kind() {
            return "sign_conv";
        }

        public int[] outputShape(int[] in) {
            return convShape(this, in, inChannels, outChannels, kernel, stride, padding);
        }

        public long parameterBytes() {
            return signs.bits().length;
        }
    }

    /**
     * A 3x3 convolution with sub-bit weights (docs/methods.md 3, S2NN): every kernel (output {@code o},
     * input {@code c}) is one of the layer's {@code 2^eta} codewords, stored as its eta-bit index
     * {@code indices[o * in + c]}; the codebook holds the codewords as 9-bit sign patterns (bit
     * {@code k} set for +1 at row-major tap {@code k}); {@code negate[o]} flips every sign of
     * output channel {@code o} (where the folded scale {@code k[o]} was negative). It computes
     * {@code b = sign_kernels * x} with additions and subtractions only, exactly as the
     * {@link SignConv} of the same signs ({@link #toSignConv}).
     */
    record CodewordConv(
            String name,
            int inChannels,
            int outChannels,
            int stride,
            int padding,
            int eta,
            PackedCodes codebook,
            PackedCodes indices,
            PackedCodes negate)
            implements DeployedNode {
        public CodewordConv {
            requirePositive(name, "codeword_conv", inChannels, outChannels, 3, stride);
            if (eta < 1 || eta > 8) {
                throw new SpikebitException(name + ": codeword_conv needs eta in 1..8, got " + eta);
            }
            requireCodes(name, "codebook", codebook, 1 << eta, 9);
            requireCodes(name, "indices", indices, (long) outChannels * inChannels, eta);
            requireCodes(name, "negate", negate, outChannels, 1);
        }

        public String kind() {
            return "codeword_conv";
        }

        public int[] outputShape(int[] in) {
            return convShape(this, in, inChannels, outChannels, 3, stride, padding);
        }

        public long parameterBytes() {
            return codebook.bits().length + indices.bits().length + negate.bits().length;
        }

        /** The same layer with its signs written out, one bit per weight. */
        public SignConv toSignConv() {
            int rowLength = inChannels * 9;
            int[] patterns = codebook.unpack();
            float[] signs = new float[outChannels * rowLength];
            boolean[] flip = new boolean[outChannels];
            for (int o = 0; o < outChannels; o++) {
                flip[o] = negate.get(o) != 0;
                for (int c = 0; c < inChannels; c++) {
                    int pattern = patterns[indices.get(o * inChannels + c)];
                    for (int k = 0; k < 9; k++) {
                        signs[o * rowLength + c * 9 + k] = (pattern >>> k & 1) != 0 ? 1f : -1f;
                    }
                }
            }
            return new SignConv(
                    name,
                    inChannels,
                    outChannels,
                    3,
                    stride,
                    padding,
                    PackedSigns.pack(signs, outChannels, rowLength, flip));
        }
    }

    /** A full-precision fully connected layer, {@code weight [out, in]}, optional bias. */
    record Linear(String name, int inFeatures, int outFeatures, float[] weight, float[] bias) implements DeployedNode {
        public Linear {
            requirePositive(name, "linear", inFeatures, outFeatures, 1, 1);
            requireLength(name, "weight", weight.length, (long) outFeatures * inFeatures);
            if (bias != null) {
                requireLength(name, "bias", bias.length, outFeatures);
            }
        }

        public String kind() {
            return "linear";
        }

        public int[] outputShape(int[] in) {
            requireRank(this, in, 1);
            requireEqual(this, "input features", in[0], inFeatures);
            return new int[] {outFeatures};
        }

        public long parameterBytes() {
            return 4L * (weight.length + (bias == null ? 0 : bias.length));
        }
    }

    /** A fully connected layer with +-1 weights and no scale, adds and subtracts only. */
    record SignLinear(String name, int inFeatures, int outFeatures, PackedSigns signs) implements DeployedNode {
        public SignLinear {
            requirePositive(name, "sign_linear", inFeatures, outFeatures, 1, 1);
            requireSigns(name, signs, outFeatures, inFeatures);
        }

        public String kind() {
            return "sign_linear";
        }

        public int[] outputShape(int[] in) {
            requireRank(this, in, 1);
            requireEqual(this, "input features", in[0], inFeatures);
            return new int[] {outFeatures};
        }

        public long parameterBytes() {
            return signs.bits().length;
        }
    }

    /**
     * A per-channel affine map {@code y = x * scale[c] + shift[c]} (channel = first axis): a
     * batch norm kept as it is after a full-precision layer, or the amplitude of a binary layer
     * that feeds the readout.
     */
    record Affine(String name, float[] scale, float[] shift) implements DeployedNode {
        public Affine {
            requireLength(name, "shift", shift.length, scale.length);
        }

        public String kind() {
            return "affine";
        }

        public int[] outputShape(int[] in) {
            requireChannels(this, in, scale.length);
            return in.clone();
        }

        public long parameterBytes() {
            return 4L * (scale.length + shift.length);
        }
    }

    /**
     * A layer of LIF neurons with hard reset in the standard form (docs/methods.md 2), one neuron per
     * element, per-channel constants (channel = first axis):
     * <pre>
     *   U[t] = tau * U[t-1] + (x[t] + bias[c])     (without bias: tau * U[t-1] + x[t])
     *   fire when U[t] &gt;= threshold[c]; then U[t] = 0
     *   emit: binary: 1;  real: scale[c] * U[t] (without scale: U[t]);  0 when not firing
     * </pre>
     * After a binary layer with scale k and offset d folded in, {@code bias = d/k},
     * {@code threshold = Vth/k} and, for real-valued spikes, {@code scale = k}: the neuron
     * emits exactly what the training network's neuron emits.
     *
     * @param bias  null for none
     * @param scale null for none; only with real-valued output
     */
    record Neuron(String name, float tau, OutputMode output, float[] threshold, float[] bias, float[] scale)
            implements DeployedNode {
        public Neuron {
            if (bias != null && bias.length != threshold.length || scale != null && scale.length != threshold.length) {
                throw new SpikebitException("neuron " + name + ": " + threshold.length + " thresholds but "
                        + (bias == null ? "-" : bias.length) + " biases and " + (scale == null ? "-" : scale.length)
                        + " scales");
            }
            if (scale != null && output != OutputMode.REAL) {
                throw new SpikebitException("neuron " + name + ": a spike scale needs real-valued output");
            }
        }

        public String kind() {
            return "neuron";
        }

        public int channels() {
            return threshold.length;
        }

        public int[] outputShape(int[] in) {
            requireChannels(this, in, threshold.length);
            return in.clone();
        }

        public long parameterBytes() {
            return 4L * (threshold.length + (bias == null ? 0 : bias.length) + (scale == null ? 0 : scale.length));
        }
    }

    /** Max pooling with a square window, no padding. */
    record MaxPool(String name, int kernel, int stride) implements DeployedNode {
        public MaxPool {
            requirePositive(name, "max_pool", 1, 1, kernel, stride);
        }

        public String kind() {
            return "max_pool";
        }

        public int[] outputShape(int[] in) {
            return poolShape(this, in, kernel, stride);
        }
    }

    /** Average pooling with a square window, no padding; {@code kernel = 0} averages each whole (square) map. */
    record AvgPool(String name, int kernel, int stride) implements DeployedNode {
        public AvgPool {
            if (!(kernel == 0 && stride == 0)) {
                requirePositive(name, "avg_pool", 1, 1, kernel, stride);
            }
        }

        public String kind() {
            return "avg_pool";
        }

        public boolean isGlobal() {
            return kernel == 0;
        }

        public int[] outputShape(int[] in) {
            if (isGlobal()) {
                requireRank(this, in, 3);
                if (in[1] != in[2]) {
                    throw new SpikebitException(
                            "node " + name + " (global avg_pool) needs square maps, got " + Arrays.toString(in));
                }
                return new int[] {in[0], 1, 1};
            }
            return poolShape(this, in, kernel, stride);
        }
    }

    /**
     * A residual addition: the element-wise sum of the outputs of the two nodes that the model's
     * {@link DeployedModel#inputs() inputs} name for it, which must have the same shape. Both
     * operands are in the training network's units (docs/reverb.md section 3).
     */
    record Add(String name) implements DeployedNode {
        public String kind() {
            return "add";
        }

        /** The shape of its first input, which the model checks against its second. */
        public int[] outputShape(int[] in) {
            return in.clone();
        }
    }

    /** Flattens each sample to one axis. */
    record Flatten(String name) implements DeployedNode {
        public String kind() {
            return "flatten";
        }

        public int[] outputShape(int[] in) {
            long n = 1;
            for (int d : in) {
                n *= d;
            }
            return new int[] {(int) n};
        }
    }

    /** Direct encoding: the output so far is computed once and fed to the rest at every step. */
    record Repeat(String name) implements DeployedNode {
        public String kind() {
            return "repeat";
        }

        public int[] outputShape(int[] in) {
            return in.clone();
        }
    }

    /** The readout: the mean over the T steps of the previous node's output; ends the network. */
    record MeanOverTime(String name) implements DeployedNode {
        public String kind() {
            return "mean_over_time";
        }

        public int[] outputShape(int[] in) {
            return in.clone();
        }
    }

    // ------------------------------------------------------------------ shape checks

    private static int[] convShape(
            DeployedNode node, int[] in, int inChannels, int outChannels, int kernel, int stride, int padding) {
        requireRank(node, in, 3);
        requireEqual(node, "input channels", in[0], inChannels);
        ConvGeometry geo = geometry(node, inChannels, in, kernel, stride, padding);
        return new int[] {outChannels, geo.outHeight(), geo.outWidth()};
    }

    private static int[] poolShape(DeployedNode node, int[] in, int kernel, int stride) {
        requireRank(node, in, 3);
        ConvGeometry geo = geometry(node, in[0], in, kernel, stride, 0);
        return new int[] {in[0], geo.outHeight(), geo.outWidth()};
    }

    private static ConvGeometry geometry(
            DeployedNode node, int channels, int[] in, int kernel, int stride, int padding) {
        try {
            return new ConvGeometry(channels, in[1], in[2], kernel, kernel, stride, padding);
        } catch (IllegalArgumentException e) {
            throw new SpikebitException("node " + node.name() + " (" + node.kind() + ") on input " + Arrays.toString(in)
                    + ": " + e.getMessage());
        }
    }

    private static void requirePositive(String name, String kind, int in, int out, int kernel, int stride) {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1) {
            throw new SpikebitException("node " + name + " (" + kind + "): sizes must be >= 1, got in " + in + ", out "
                    + out + ", kernel " + kernel + ", stride " + stride);
        }
    }

    private static void requireLength(String name, String what, long actual, long expected) {
        if (actual != expected) {
            throw new SpikebitException(
                    "node " + name + ": " + what + " has " + actual + " values, expected " + expected);
        }
    }

    private static void requireSigns(String name, PackedSigns signs, int rows, long rowLength) {
        if (signs.rows() != rows || signs.rowLength() != rowLength) {
            throw new SpikebitException("node " + name + ": signs are " + signs.rows() + " rows of " + signs.rowLength()
                    + ", expected " + rows + " rows of " + rowLength);
        }
    }

    private static void requireCodes(String name, String what, PackedCodes codes, long count, int width) {
        if (codes.count() != count || codes.width() != width) {
            throw new SpikebitException(name + ": " + what + " holds " + codes.count() + " codes of " + codes.width()
                    + " bits, expected " + count + " of " + width);
        }
    }

    private static void requireRank(DeployedNode node, int[] in, int rank) {
        if (in.length != rank) {
            throw new SpikebitException("node " + node.name() + " (" + node.kind() + ") expects input of rank " + rank
                    + ", got " + Arrays.toString(in));
        }
    }

    private static void requireChannels(DeployedNode node, int[] in, int channels) {
        if (in.length < 1 || in[0] != channels) {
            throw new SpikebitException("node " + node.name() + " (" + node.kind() + ") has " + channels
                    + " channels, its input is " + Arrays.toString(in));
        }
    }

    private static void requireEqual(DeployedNode node, String what, int actual, int expected) {
        if (actual != expected) {
            throw new SpikebitException("node " + node.name() + " (" + node.kind() + ") expects " + expected + " "
                    + what + ", got " + actual);
        }
    }
}
