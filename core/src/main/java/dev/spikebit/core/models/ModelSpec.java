package dev.spikebit.core.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.neuron.surrogate.Surrogate;

/**
 * Everything needed to rebuild a model: the zoo name and the options that change its layers.
 * It travels as JSON in a checkpoint's metadata, so a checkpoint alone can be evaluated.
 *
 * @param model        the zoo name, such as {@code fmnist-cnn}
 * @param timeSteps    T, the number of simulation steps
 * @param inChannels   channels of one input frame
 * @param inSize       height and width of the (square) input
 * @param numClasses   number of classes
 * @param spikes       {@code binary} (S) or {@code real} (ReverB, H * S)
 * @param weights      {@code fp}, {@code binary} or {@code binary-fixed-alpha} (docs/methods.md 2)
 * @param binaryEdges  whether the first conv and last linear are binary too
 * @param surrogate    surrogate spec, as {@link Surrogate#parse}
 * @param tau          LIF decay
 * @param vth          firing threshold
 * @param detachReset  whether the reset gate is detached in backward
 * @param eta          sub-bit weights ({@code weights = sub-bit}): codebook size {@code 2^eta}, eta in
 *                     1..8 (docs/methods.md 3); 0 for every other weight kind. Absent from older
 *                     checkpoints, where it reads as 0.
 * @param osQuant      sub-bit weights: choose codewords with OS-Quant (docs/methods.md 3)
 * @param codebookRefresh sub-bit weights: rebuild each codebook from the current latent weights
 *                     every this many training steps; 0 keeps it fixed (the default)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelSpec(
        String model,
        int timeSteps,
        int inChannels,
        int inSize,
        int numClasses,
        String spikes,
        String weights,
        boolean binaryEdges,
        String surrogate,
        float tau,
        float vth,
        boolean detachReset,
        int eta,
        boolean osQuant,
        int codebookRefresh) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The weight kinds a spec may name. */
    public static final String WEIGHT_KINDS = "fp, binary, binary-fixed-alpha or sub-bit";

    public ModelSpec {
        if (timeSteps < 1) {
            throw new SpikebitException("model " + model + ": T must be >= 1, got " + timeSteps);
        }
        if (!spikes.equals("binary") && !spikes.equals("real")) {
            throw new SpikebitException("spikes must be binary or real, got \"" + spikes + "\"");
        }
        if (!weights.equals("fp")
                && !weights.equals("binary")
                && !weights.equals("binary-fixed-alpha")
                && !weights.equals("sub-bit")) {
            throw new SpikebitException("weights must be " + WEIGHT_KINDS + ", got \"" + weights + "\"");
        }
        if (weights.equals("sub-bit") && (eta < 1 || eta > 8)) {
            throw new SpikebitException("model " + model + ": sub-bit weights need eta in 1..8 (a codebook of 2^eta "
                    + "of the 512 sign patterns of a 3x3 kernel), got " + eta);
        }
        if (!weights.equals("sub-bit") && (eta != 0 || osQuant || codebookRefresh != 0)) {
            throw new SpikebitException("model " + model + ": eta, osQuant and codebookRefresh apply only to sub-bit "
                    + "weights, not to \"" + weights + "\"");
        }
        if (codebookRefresh < 0) {
            throw new SpikebitException("model " + model + ": codebookRefresh must be >= 0, got " + codebookRefresh);
        }
        Surrogate.parse(surrogate); // fail early on a bad name
    }

    /** A spec without sub-bit options (the form of every weight kind but {@code sub-bit}). */
    public ModelSpec(
            String model,
            int timeSteps,
            int inChannels,
            int inSize,
            int numClasses,
            String spikes,
            String weights,
            boolean binaryEdges,
            String surrogate,
            float tau,
            float vth,
            boolean detachReset) {
        this(
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                spikes,
                weights,
                binaryEdges,
                surrogate,
                tau,
                vth,
                detachReset,
                0,
                false,
                0);
    }

    /** A spec with the defaults of docs/methods.md 1 for the given zoo entry and input. */
    public static ModelSpec defaults(String model, int timeSteps, int inChannels, int inSize, int numClasses) {
        return new ModelSpec(
                model, timeSteps, inChannels, inSize, numClasses, "binary", "fp", false, "atan:2", 0.5f, 1.0f, true);
    }

    public ModelSpec withSpikes(String value) {
        return new ModelSpec(
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                value,
                weights,
                binaryEdges,
                surrogate,
                tau,
                vth,
                detachReset,
                eta,
                osQuant,
                codebookRefresh);
    }

    public ModelSpec withWeights(String value) {
        return new ModelSpec(
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                spikes,
                value,
                binaryEdges,
                surrogate,
                tau,
                vth,
                detachReset,
                value.equals("sub-bit") ? eta : 0,
                value.equals("sub-bit") && osQuant,
                value.equals("sub-bit") ? codebookRefresh : 0);
    }

    public ModelSpec withBinaryEdges(boolean value) {
        return new ModelSpec(
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                spikes,
                weights,
                value,
                surrogate,
                tau,
                vth,
                detachReset,
                eta,
                osQuant,
                codebookRefresh);
    }

    public ModelSpec withSurrogate(String value) {
        return new ModelSpec(
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                spikes,
                weights,
                binaryEdges,
                value,
                tau,
                vth,
                detachReset,
                eta,
                osQuant,
                codebookRefresh);
    }

    /**
     * The same model with sub-bit weights (docs/methods.md 3): {@code eta}-bit codeword indices,
     * OS-Quant selection if asked, codebook fixed ({@code refresh = 0}) or rebuilt every
     * {@code refresh} steps.
     */
    public ModelSpec withSubBit(int eta, boolean osQuant, int refresh) {
        return new ModelSpec(
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                spikes,
                "sub-bit",
                binaryEdges,
                surrogate,
                tau,
                vth,
                detachReset,
                eta,
                osQuant,
                refresh);
    }

    /** Whether the weights are sub-bit (codebook-indexed sign kernels). */
    public boolean hasSubBitWeights() {
        return weights.equals("sub-bit");
    }

    public ModelSpec withTimeSteps(int value) {
        return new ModelSpec(
                model,
                value,
                inChannels,
                inSize,
                numClasses,
                spikes,
                weights,
                binaryEdges,
                surrogate,
                tau,
                vth,
                detachReset,
                eta,
                osQuant,
                codebookRefresh);
    }

    /** The neuron configuration these options describe. */
    public NeuronConfig neuronConfig() {
        return new NeuronConfig(
                tau,
                vth,
                detachReset,
                Surrogate.parse(surrogate),
                spikes.equals("real") ? OutputMode.REAL : OutputMode.BINARY);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelSpec fromJson(String json, String source) {
        try {
            return JSON.readValue(json, ModelSpec.class);
        } catch (JsonProcessingException e) {
            throw new SpikebitException(source + ": the model description is not valid: " + e.getOriginalMessage());
        }
    }
}
