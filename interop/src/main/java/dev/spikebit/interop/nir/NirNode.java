package dev.spikebit.interop.nir;

import java.util.Map;

/**
 * The nodes of a NIR graph (Neuromorphic Intermediate Representation), as NIR's reference
 * defines them. Parameters keep NIR's meaning and units: neuron time constants in seconds of the
 * continuous-time model, shapes without a batch axis. {@link Other} holds a node type spikebit
 * reads but does not model, so that a refusal can name it.
 */
public sealed interface NirNode {
    /** NIR's type name, as written in the file's {@code type} field. */
    String type();

    /** The graph's input; {@code shape} is one sample's shape. */
    record Input(int[] shape) implements NirNode {
        @Override
        public String type() {
            return "Input";
        }
    }

    /** The graph's output. */
    record Output(int[] shape) implements NirNode {
        @Override
        public String type() {
            return "Output";
        }
    }

    /** {@code y = W x + b}, {@code W} of shape {@code [out, in]}. */
    record Affine(NirArray weight, NirArray bias) implements NirNode {
        @Override
        public String type() {
            return "Affine";
        }
    }

    /** {@code y = W x}. */
    record Linear(NirArray weight) implements NirNode {
        @Override
        public String type() {
            return "Linear";
        }
    }

    /** {@code y = s * x}, elementwise. */
    record Scale(NirArray scale) implements NirNode {
        @Override
        public String type() {
            return "Scale";
        }
    }

    /**
     * A 2-D convolution; {@code weight} is {@code [out, in / groups, kh, kw]}, the pairs are
     * (height, width), {@code inputShape} is the (height, width) of the input or null.
     */
    record Conv2d(
            NirArray weight, NirArray bias, int[] stride, int[] padding, int[] dilation, int groups, int[] inputShape)
            implements NirNode {
        @Override
        public String type() {
            return "Conv2d";
        }
    }

    /**
     * Leaky integrate-and-fire: {@code tau dv/dt = (v_leak - v) + r I}; when {@code v} reaches
     * {@code v_threshold} the neuron spikes and {@code v} is set to {@code v_reset}.
     */
    record Lif(NirArray tau, NirArray r, NirArray vLeak, NirArray vThreshold, NirArray vReset) implements NirNode {
        @Override
        public String type() {
            return "LIF";
        }
    }

    /** Integrate-and-fire: {@code dv/dt = r I}, spike and reset as {@link Lif}. */
    record IntegrateAndFire(NirArray r, NirArray vThreshold, NirArray vReset) implements NirNode {
        @Override
        public String type() {
            return "IF";
        }
    }

    /** Current-based LIF: a synaptic current with its own time constant feeds a LIF membrane. */
    record CubaLif(
            NirArray tauSyn,
            NirArray tauMem,
            NirArray r,
            NirArray vLeak,
            NirArray vThreshold,
            NirArray vReset,
            NirArray wIn)
            implements NirNode {
        @Override
        public String type() {
            return "CubaLIF";
        }
    }

    /** {@code y = Theta(x - threshold)}. */
    record Threshold(NirArray threshold) implements NirNode {
        @Override
        public String type() {
            return "Threshold";
        }
    }

    /** Flattens the axes {@code startDim..endDim} of one sample (no batch axis). */
    record Flatten(int startDim, int endDim, int[] inputType) implements NirNode {
        @Override
        public String type() {
            return "Flatten";
        }
    }

    /** Sum over each window; pairs are (height, width). */
    record SumPool2d(int[] kernel, int[] stride, int[] padding) implements NirNode {
        @Override
        public String type() {
            return "SumPool2d";
        }
    }

    /** Mean over each window; pairs are (height, width). */
    record AvgPool2d(int[] kernel, int[] stride, int[] padding) implements NirNode {
        @Override
        public String type() {
            return "AvgPool2d";
        }
    }

    /** A nested graph (NIR writes recurrent layers this way). */
    record Subgraph(NirGraph graph) implements NirNode {
        @Override
        public String type() {
            return "NIRGraph";
        }
    }

    /** A node type spikebit has no model for (LI, CubaLI, I, Delay, Conv1d, ...), with its fields' names. */
    record Other(String type, Map<String, int[]> fieldShapes) implements NirNode {}
}
