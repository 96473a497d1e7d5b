package dev.spikebit.core.models;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.runtime.io.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to rebuild a model: the zoo name and the options that change its layers.
 * It travels as JSON in a checkpoint's metadata, so a checkpoint alone can be evaluated; the JSON
 * names the spike and weight kinds by their {@link SpikeKind#id() ids} and the surrogate by its
 * {@link Surrogate#spec() spec}, and fields it lacks (written by older versions) take their
 * defaults.
 *
 * @param model        the zoo name, such as {@code fmnist-cnn}
 * @param timeSteps    T, the number of simulation steps
 * @param inChannels   channels of one input frame
 * @param inSize       height and width of the (square) input
 * @param numClasses   number of classes
 * @param spikes       binary (S) or real (ReverB, H * S)
 * @param weights      full precision, binary, binary with a fixed amplitude (docs/methods.md 2) or sub-bit
 * @param binaryEdges  whether the first conv and last linear are binary too
 * @param surrogate    the surrogate gradient
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
public record ModelSpec(
        String model,
        int timeSteps,
        int inChannels,
        int inSize,
        int numClasses,
        SpikeKind spikes,
        WeightKind weights,
        boolean binaryEdges,
        Surrogate surrogate,
        float tau,
        float vth,
        boolean detachReset,
        int eta,
        boolean osQuant,
        int codebookRefresh) {
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
        if (weights == WeightKind.SUB_BIT && (eta < 1 || eta > 8)) {
            throw new SpikebitException("model " + model + ": sub-bit weights need eta in 1..8 (a codebook of 2^eta "
                    + "of the 512 sign patterns of a 3x3 kernel), got " + eta);
        }
        if (weights != WeightKind.SUB_BIT && (eta != 0 || osQuant || codebookRefresh != 0)) {
            throw new SpikebitException("model " + model + ": eta, osQuant and codebookRefresh apply only to sub-bit "
                    + "weights, not to \"" + weights.id() + "\"");
        }
        if (codebookRefresh < 0) {
            throw new SpikebitException("model " + model + ": codebookRefresh must be >= 0, got " + codebookRefresh);
        }
    }

    /** A spec without sub-bit options (the form of every weight kind but {@code sub-bit}). */
    public ModelSpec(
            String model,
            int timeSteps,
            int inChannels,
            int inSize,
            int numClasses,
            SpikeKind spikes,
            WeightKind weights,
            boolean binaryEdges,
            Surrogate surrogate,
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
                model,
                timeSteps,
                inChannels,
                inSize,
                numClasses,
                SpikeKind.BINARY,
                WeightKind.FP,
                false,
                Surrogate.defaultSurrogate(),
                0.5f,
                1.0f,
                true);
    }

    public ModelSpec withSpikes(SpikeKind value) {
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

    public ModelSpec withWeights(WeightKind value) {
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
                value == WeightKind.SUB_BIT ? eta : 0,
                value == WeightKind.SUB_BIT && osQuant,
                value == WeightKind.SUB_BIT ? codebookRefresh : 0);
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

    public ModelSpec withSurrogate(Surrogate value) {
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
                WeightKind.SUB_BIT,
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
        return weights == WeightKind.SUB_BIT;
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
        return new NeuronConfig(tau, vth, detachReset, surrogate, spikes.output());
    }

    /** The same model for another input: channels, height and width, and classes. */
    public ModelSpec withInput(int channels, int size, int classes) {
        return new ModelSpec(
                model,
                timeSteps,
                channels,
                size,
                classes,
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

    /** The spec as checkpoints store it: one JSON object with the record's fields in order. */
    public String toJson() {
        return Json.write(json());
    }

    /** The fields of {@link #toJson} as a map, for files that hold a spec inside a larger object. */
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", model);
        json.put("timeSteps", timeSteps);
        json.put("inChannels", inChannels);
        json.put("inSize", inSize);
        json.put("numClasses", numClasses);
        json.put("spikes", spikes.id());
        json.put("weights", weights.id());
        json.put("binaryEdges", binaryEdges);
        json.put("surrogate", surrogate.spec());
        json.put("tau", tau);
        json.put("vth", vth);
        json.put("detachReset", detachReset);
        json.put("eta", eta);
        json.put("osQuant", osQuant);
        json.put("codebookRefresh", codebookRefresh);
        return json;
    }

    /**
     * Reads what {@link #toJson} wrote (or an older version without the later fields).
     *
     * @param source the file or option it came from, for the error
     * @throws SpikebitException one line naming {@code source} and what is wrong
     */
    public static ModelSpec fromJson(String json, String source) {
        try {
            return of(JsonObject.parse(json, "the model description"));
        } catch (IllegalArgumentException | SpikebitException e) {
            throw new SpikebitException(source + ": the model description is not valid: " + e.getMessage());
        }
    }

    /** The spec a JSON object describes; fields it lacks take their defaults (unknown ones are ignored). */
    public static ModelSpec of(JsonObject json) {
        String spikes = json.text("spikes", null);
        String weights = json.text("weights", null);
        String surrogate = json.text("surrogate", null);
        // A missing kind reaches the constructor as null, which names all three after the model's own checks.
        return new ModelSpec(
                json.text("model", null),
                json.integer("timeSteps", 0),
                json.integer("inChannels", 0),
                json.integer("inSize", 0),
                json.integer("numClasses", 0),
                spikes == null ? null : SpikeKind.of(spikes, "spikes"),
                weights == null ? null : WeightKind.of(weights, "weights"),
                json.bool("binaryEdges", false),
                surrogate == null ? null : Surrogate.parse(surrogate),
                json.number("tau", 0f),
                json.number("vth", 0f),
                json.bool("detachReset", false),
                json.integer("eta", 0),
                json.bool("osQuant", false),
                json.integer("codebookRefresh", 0));
    }
}
