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
 * @param weights      {@code fp}, {@code binary} or {@code binary-fixed-alpha} (methods.md 2)
 * @param binaryEdges  whether the first conv and last linear are binary too
 * @param surrogate    surrogate spec, as {@link Surrogate#parse}
 * @param tau          LIF decay
 * @param vth          firing threshold
 * @param detachReset  whether the reset gate is detached in backward
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelSpec(String model, int timeSteps, int inChannels, int inSize, int numClasses, String spikes,
                        String weights, boolean binaryEdges, String surrogate, float tau, float vth,
                        boolean detachReset) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelSpec {
        if (timeSteps < 1) {
            throw new SpikebitException("model " + model + ": T must be >= 1, got " + timeSteps);
        }
        if (!spikes.equals("binary") && !spikes.equals("real")) {
            throw new SpikebitException("spikes must be binary or real, got \"" + spikes + "\"");
        }
        if (!weights.equals("fp") && !weights.equals("binary") && !weights.equals("binary-fixed-alpha")) {
            throw new SpikebitException("weights must be fp, binary or binary-fixed-alpha, got \"" + weights + "\"");
        }
        Surrogate.parse(surrogate); // fail early on a bad name
    }

    /** A spec with the defaults of methods.md 1 for the given zoo entry and input. */
    public static ModelSpec defaults(String model, int timeSteps, int inChannels, int inSize, int numClasses) {
        return new ModelSpec(model, timeSteps, inChannels, inSize, numClasses, "binary", "fp", false, "atan:2",
                0.5f, 1.0f, true);
    }

    public ModelSpec withSpikes(String value) {
        return new ModelSpec(model, timeSteps, inChannels, inSize, numClasses, value, weights, binaryEdges, surrogate,
                tau, vth, detachReset);
    }

    public ModelSpec withWeights(String value) {
        return new ModelSpec(model, timeSteps, inChannels, inSize, numClasses, spikes, value, binaryEdges, surrogate,
                tau, vth, detachReset);
    }

    public ModelSpec withBinaryEdges(boolean value) {
        return new ModelSpec(model, timeSteps, inChannels, inSize, numClasses, spikes, weights, value, surrogate,
                tau, vth, detachReset);
    }

    public ModelSpec withSurrogate(String value) {
        return new ModelSpec(model, timeSteps, inChannels, inSize, numClasses, spikes, weights, binaryEdges, value,
                tau, vth, detachReset);
    }

    public ModelSpec withTimeSteps(int value) {
        return new ModelSpec(model, value, inChannels, inSize, numClasses, spikes, weights, binaryEdges, surrogate,
                tau, vth, detachReset);
    }

    /** The neuron configuration these options describe. */
    public NeuronConfig neuronConfig() {
        return new NeuronConfig(tau, vth, detachReset, Surrogate.parse(surrogate),
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
