package dev.spikebit.runtime.graph;

/**
 * One node of a deployed network's layer graph (format {@code deployed-1}, docs/reverb.md 3-4),
 * as the runtime holds it. Each layer reads the output of the one before; shapes are per sample
 * and step. The layers before {@link Repeat} run once per image, the rest at each of the T steps,
 * and {@link MeanOverTime} ends the network.
 *
 * <p>The family is sealed: a new kind (the sub-bit convolution of methods.md 3, a residual
 * {@code add}) is a new record here, and the compiler then points at every switch that must learn
 * it: the loader, the shape rule, the executor and the counters.
 */
public sealed interface Layer {
    /** The node's name in the file, unique in its network. */
    String name();

    /** The node's kind as written in the file. */
    String kind();

    /** Fixed input normalisation {@code (x - mean[c]) * (1 / std[c])}. */
    record Normalize(String name, float[] mean, float[] std) implements Layer {
        public String kind() {
            return "normalize";
        }
    }

    /** Full-precision convolution, {@code weight [out, in, k, k]}, optional bias (null for none). */
    record Conv(String name, int inChannels, int outChannels, int kernel, int stride, int padding, float[] weight,
                float[] bias) implements Layer {
        public String kind() {
            return "conv";
        }
    }

    /** Convolution with +-1 weights, adds and subtracts only (methods.md 2). */
    record SignConv(String name, int inChannels, int outChannels, int kernel, int stride, int padding,
                    SignMatrix signs) implements Layer {
        public String kind() {
            return "sign_conv";
        }
    }

    /** Full-precision fully connected layer, {@code weight [out, in]}, optional bias. */
    record Linear(String name, int inFeatures, int outFeatures, float[] weight, float[] bias) implements Layer {
        public String kind() {
            return "linear";
        }
    }

    /** Fully connected layer with +-1 weights, adds and subtracts only. */
    record SignLinear(String name, int inFeatures, int outFeatures, SignMatrix signs) implements Layer {
        public String kind() {
            return "sign_linear";
        }
    }

    /** Per-channel {@code x * scale[c] + shift[c]}. */
    record Affine(String name, float[] scale, float[] shift) implements Layer {
        public String kind() {
            return "affine";
        }
    }

    /**
     * LIF neurons with hard reset in the standard form (methods.md 2): {@code h = tau U + (x + bias[c])},
     * fire when {@code h >= threshold[c]}, emit 1 (binary) or {@code scale[c] * h} (real; {@code h}
     * without scale), reset to 0. {@code bias} and {@code scale} may be null.
     */
    record Neuron(String name, int channels, float tau, boolean realOutput, float[] threshold, float[] bias,
                  float[] scale) implements Layer {
        public String kind() {
            return "neuron";
        }
    }

    /** Max pooling, square window, no padding. */
    record MaxPool(String name, int kernel, int stride) implements Layer {
        public String kind() {
            return "max_pool";
        }
    }

    /** Average pooling, square window, no padding; kernel 0 averages each whole map. */
    record AvgPool(String name, int kernel, int stride) implements Layer {
        public String kind() {
            return "avg_pool";
        }

        public boolean isGlobal() {
            return kernel == 0;
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
