package dev.spikebit.runtime.graph;

/**
 * One node of a deployed network's layer graph (formats {@code deployed-1}, docs/reverb.md 3-4,
 * and {@code deployed-2}, which adds {@link CodewordConv}, docs/s2nn.md 6), as the runtime holds
 * it. Each layer reads the output of the one before unless its graph names other inputs for it
 * ({@link Graph#inputs}: the two operands of an {@link Add}, or the block input a projection
 * shortcut reads); shapes are per sample and step. The layers
 * before {@link Repeat} run once per image, the rest at each of the T steps, and
 * {@link MeanOverTime} ends the network.
 *
 * <p>The family is sealed: a new kind is a new record here, and the
 * compiler then points at every switch that must learn it: the loader, the shape rule, the
 * executor and the counters.
 */
public sealed interface Layer {
    /** The node's name in the file, unique in its network. */
    String name();

    /** The node's kind as written in the file. */
    String kind();

    /** Fixed input normalisation {@code (x - mean[c]) * (1 / std[c])}. */
    record Normalize(String name, float[] mean, float[] std) implements Layer {
        public Normalize {
            LayerChecks.length(name, "std", std.length, mean.length);
        }

        public String kind() {
            return "normalize";
        }
    }

    /** Full-precision convolution, {@code weight [out, in, k, k]}, optional bias (null for none). */
    record Conv(
            String name,
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            float[] weight,
            float[] bias)
            implements Layer {
        public Conv {
            LayerChecks.sizes(name, inChannels, outChannels, kernel, stride, padding);
            LayerChecks.length(name, "weight", weight.length, (long) outChannels * inChannels * kernel * kernel);
            LayerChecks.optional(name, "bias", bias, outChannels);
        }

        public String kind() {
            return "conv";
        }
    }

    /** Convolution with +-1 weights, adds and subtracts only (docs/methods.md 2). */
    record SignConv(String name, int inChannels, int outChannels, int kernel, int stride, int padding, SignMatrix signs)
            implements Layer {
        public SignConv {
            LayerChecks.sizes(name, inChannels, outChannels, kernel, stride, padding);
            LayerChecks.signs(name, signs, outChannels, (long) inChannels * kernel * kernel);
        }

        public String kind() {
            return "sign_conv";
        }
    }

    /**
     * 3x3 convolution with sub-bit weights (docs/methods.md 3, docs/s2nn.md 6): kernel {@code (o, c)} is
     * codeword {@code indices[o * in + c]} of the layer's codebook, a 3x3 sign pattern; where
     * {@code negate[o]} is set, every sign of output channel {@code o} is flipped. It computes the
     * same sums as the {@link SignConv} of the written-out signs ({@link #toSignConv()}), with
     * additions and subtractions only; the kernel reuses codewords instead (each input channel
     * convolved once per codeword).
     *
     * @param eta      bits per index, 1..8: the codebook holds {@code 2^eta} patterns
     * @param codebook {@code 2^eta} distinct pattern ids in 0..511; bit {@code k} of an id is set where
     *                 the sign at row-major tap {@code k} ({@code 3 ky + kx}) is +1
     * @param indices  one byte per kernel, {@code out * in} of them, each below {@code 2^eta}
     * @param negate   one flag per output channel
     */
    record CodewordConv(
            String name,
            int inChannels,
            int outChannels,
            int stride,
            int padding,
            int eta,
            int[] codebook,
            byte[] indices,
            boolean[] negate)
            implements Layer {
        /** Pattern ids are 9-bit numbers: one bit per tap of a 3x3 kernel. */
        public static final int PATTERNS = 512;

        /** Checks the codes; fails with {@link IllegalArgumentException} naming what is wrong. */
        public CodewordConv {
            if (inChannels < 1 || outChannels < 1 || stride < 1 || padding < 0) {
                throw new IllegalArgumentException(
                        "codeword_conv \"" + name + "\": channels " + inChannels + " -> " + outChannels + ", stride "
                                + stride + ", padding " + padding + " (expected sizes >= 1, padding >= 0)");
            }
            if (eta < 1 || eta > 8) {
                throw new IllegalArgumentException("codeword_conv \"" + name + "\": eta is " + eta + ", expected 1..8");
            }
            int codewords = 1 << eta;
            if (codebook.length != codewords) {
                throw new IllegalArgumentException("codeword_conv \"" + name + "\": the codebook holds "
                        + codebook.length + " patterns, eta " + eta + " needs " + codewords);
            }
            boolean[] seen = new boolean[PATTERNS];
            for (int j = 0; j < codewords; j++) {
                int id = codebook[j];
                if (id < 0 || id >= PATTERNS) {
                    throw new IllegalArgumentException("codeword_conv \"" + name + "\": codeword " + j + " is pattern "
                            + id + ", expected 0..511");
                }
                if (seen[id]) {
                    throw new IllegalArgumentException("codeword_conv \"" + name + "\": pattern " + id
                            + " appears twice in the codebook (codeword " + j + "); codewords must be distinct");
                }
                seen[id] = true;
            }
            if (indices.length != (long) outChannels * inChannels) {
                throw new IllegalArgumentException("codeword_conv \"" + name + "\": " + indices.length + " indices for "
                        + outChannels + " x " + inChannels + " kernels");
            }
            for (int i = 0; i < indices.length; i++) {
                if ((indices[i] & 0xFF) >= codewords) {
                    throw new IllegalArgumentException("codeword_conv \"" + name + "\": kernel (" + i / inChannels
                            + ", " + i % inChannels + ") uses codeword " + (indices[i] & 0xFF)
                            + ", but the codebook has "
                            + codewords);
                }
            }
            if (negate.length != outChannels) {
                throw new IllegalArgumentException("codeword_conv \"" + name + "\": " + negate.length
                        + " negation flags for " + outChannels + " output channels");
            }
        }

        public String kind() {
            return "codeword_conv";
        }

        /** The kernel size: codewords are 3x3 patterns. */
        public int kernel() {
            return 3;
        }

        /** {@code 2^eta}, the codebook's size. */
        public int codewords() {
            return 1 << eta;
        }

        /** The codeword kernel {@code (o, c)} uses. */
        public int index(int o, int c) {
            return indices[o * inChannels + c] & 0xFF;
        }

        /** Whether weight {@code j = 9 c + k} of output channel {@code o} is +1 (as a sign row). */
        public boolean isPositive(int o, int j) {
            int pattern = codebook[index(o, j / 9)];
            return ((pattern >>> (j % 9) & 1) != 0) != negate[o];
        }

        /** The same layer with its signs written out, one bit per weight (docs/s2nn.md 6). */
        public SignConv toSignConv() {
            int rowLength = inChannels * 9;
            int rowBytes = (rowLength + 7) >>> 3;
            byte[] bits = new byte[outChannels * rowBytes];
            for (int o = 0; o < outChannels; o++) {
                for (int j = 0; j < rowLength; j++) {
                    if (isPositive(o, j)) {
                        bits[o * rowBytes + (j >>> 3)] |= (byte) (1 << (j & 7));
                    }
                }
            }
            return new SignConv(
                    name, inChannels, outChannels, 3, stride, padding, SignMatrix.ofRows(outChannels, rowLength, bits));
        }
    }

    /** Full-precision fully connected layer, {@code weight [out, in]}, optional bias. */
    record Linear(String name, int inFeatures, int outFeatures, float[] weight, float[] bias) implements Layer {
        public Linear {
            LayerChecks.sizes(name, inFeatures, outFeatures, 1, 1, 0);
            LayerChecks.length(name, "weight", weight.length, (long) outFeatures * inFeatures);
            LayerChecks.optional(name, "bias", bias, outFeatures);
        }

        public String kind() {
            return "linear";
        }
    }

    /** Fully connected layer with +-1 weights, adds and subtracts only. */
    record SignLinear(String name, int inFeatures, int outFeatures, SignMatrix signs) implements Layer {
        public SignLinear {
            LayerChecks.sizes(name, inFeatures, outFeatures, 1, 1, 0);
            LayerChecks.signs(name, signs, outFeatures, inFeatures);
        }

        public String kind() {
            return "sign_linear";
        }
    }

    /** Per-channel {@code x * scale[c] + shift[c]}. */
    record Affine(String name, float[] scale, float[] shift) implements Layer {
        public Affine {
            LayerChecks.length(name, "shift", shift.length, scale.length);
        }

        public String kind() {
            return "affine";
        }
    }

    /**
     * LIF neurons with hard reset in the standard form (docs/methods.md 2): {@code h = tau U + (x + bias[c])},
     * fire when {@code h >= threshold[c]}, emit 1 (binary) or {@code scale[c] * h} (real; {@code h}
     * without scale), reset to 0. {@code bias} and {@code scale} may be null.
     */
    record Neuron(
            String name, int channels, float tau, boolean realOutput, float[] threshold, float[] bias, float[] scale)
            implements Layer {
        public Neuron {
            LayerChecks.length(name, "threshold", threshold.length, channels);
            LayerChecks.optional(name, "bias", bias, channels);
            LayerChecks.optional(name, "scale", scale, channels);
            if (scale != null && !realOutput) {
                throw new IllegalArgumentException("neuron \"" + name + "\": a spike scale needs real-valued output");
            }
        }

        public String kind() {
            return "neuron";
        }
    }

    /** Max pooling, square window, no padding. */
    record MaxPool(String name, int kernel, int stride) implements Layer {
        public MaxPool {
            LayerChecks.sizes(name, 1, 1, kernel, stride, 0);
        }

        public String kind() {
            return "max_pool";
        }
    }

    /** Average pooling, square window, no padding; kernel 0 averages each whole map. */
    record AvgPool(String name, int kernel, int stride) implements Layer {
        public AvgPool {
            if (kernel != 0 || stride != 0) {
                LayerChecks.sizes(name, 1, 1, kernel, stride, 0);
            }
        }

        public String kind() {
            return "avg_pool";
        }

        public boolean isGlobal() {
            return kernel == 0;
        }
    }

    /**
     * A residual addition: the element-wise sum of the outputs of the two earlier nodes its graph
     * names as its inputs ({@link Graph#sources}), which have the same shape. Both operands are in
     * the training network's units (docs/reverb.md 3), so the sum needs no scale.
     */
    record Add(String name) implements Layer {
        public String kind() {
            return "add";
        }
    }

    /** Each sample as one vector. */
    record Flatten(String name) implements Layer {
        public String kind() {
            return "flatten";
        }
    }

    /** Direct encoding: what comes before runs once per image, what follows at each step. */
    record Repeat(String name) implements Layer {
        public String kind() {
            return "repeat";
        }
    }

    /** The readout: the mean over the T steps. */
    record MeanOverTime(String name) implements Layer {
        public String kind() {
            return "mean_over_time";
        }
    }
}
