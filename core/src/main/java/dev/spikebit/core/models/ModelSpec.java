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

    /**
     * The most time steps a model may run. Published SNNs use 1 to about 100 (T = 4 for static
     * images, 10 to 20 for DVS data); a larger T in a file is damage, and would make every layer's
     * activations T times a batch's size.
     */
    public static final int MAX_TIME_STEPS = 256;
    /** The most input channels (2 for event frames, 3 for colour images). */
    public static final int MAX_CHANNELS = 1024;
    /** The largest input height and width. */
    public static final int MAX_INPUT_SIZE = 4096;
    /** The most classes. */
    public static final int MAX_CLASSES = 100_000;
    /** The most values in one sample, {@code T * C * H * W}: 256 MB of floats. */
    public static final long MAX_SAMPLE_VALUES = 1L << 26;

    public ModelSpec {
        if (model == null || model.isBlank()) {
            throw new SpikebitException("the model description has no model name");
        }
        if (timeSteps < 1 || timeSteps > MAX_TIME_STEPS) {
            throw new SpikebitException(
                    "model " + model + ": T must be in 1.." + MAX_TIME_STEPS + ", got " + timeSteps);
        }
        if (inChannels < 1 || inChannels > MAX_CHANNELS) {
            throw new SpikebitException(
                    "model " + model + ": inChannels must be in 1.." + MAX_CHANNELS + ", got " + inChannels);
        }
        if (inSize < 1 || inSize > MAX_INPUT_SIZE) {
            throw new SpikebitException(
                    "model " + model + ": inSize must be in 1.." + MAX_INPUT_SIZE + ", got " + inSize);
        }
        if (numClasses < 1 || numClasses > MAX_CLASSES) {
            throw new SpikebitException(
                    "model " + model + ": numClasses must be in 1.." + MAX_CLASSES + ", got " + numClasses);
        }
        long sample = (long) timeSteps * inChannels * inSize * inSize;
        if (sample > MAX_SAMPLE_VALUES) {
            throw new SpikebitException("model " + model + ": one sample of T x C x H x W = " + timeSteps + " x "
                    + inChannels + " x " + inSize + " x " + inSize + " values is over the limit of "
                    + MAX_SAMPLE_VALUES);
        }
        if (spikes == null || weights == null || surrogate == null) {
            throw new SpikebitException("model " + model + ": spikes, weights and surrogate must be given");
        }
        if (!(tau >= 0f && tau <= 1f)) {
            throw new SpikebitException("model " + model + ": tau must be in [0, 1], got " + tau);
        }
        if (!(vth > 0f) || !Float.isFinite(vth)) {
            throw new SpikebitException("model " + model + ": vth must be a finite number > 0, got " + vth);
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
            ModelSpec spec = JSON.readValue(json, ModelSpec.class);
            if (spec == null) {
                throw new SpikebitException(source + ": the model description is null");
            }
            return spec;
        } catch (JsonProcessingException e) {
            // A constructor's own check arrives wrapped; its message is the one worth showing.
            Throwable cause = e.getCause();
            String why = cause instanceof SpikebitException s ? s.getMessage() : e.getOriginalMessage();
            throw new SpikebitException(
                    source + ": the model description is not valid: " + why.replaceAll("\\s*\\R\\s*", " "));
        }
    }
}
