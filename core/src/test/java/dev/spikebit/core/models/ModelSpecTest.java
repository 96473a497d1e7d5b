package dev.spikebit.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed kinds travel through checkpoints' JSON by their names, and bad names are refused naming the good ones. */
class ModelSpecTest {
    @Test
    void everyKindAndSurrogateRoundTripsThroughJsonByName() {
        for (SpikeKind spikes : SpikeKind.values()) {
            for (WeightKind weights : List.of(WeightKind.FP, WeightKind.BINARY, WeightKind.BINARY_FIXED_ALPHA)) {
                for (String surrogate : List.of("atan:2", "sigmoid:4", "triangle:1", "rectangle:0.5", "atan:2.5")) {
                    ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn")
                            .withSpikes(spikes)
                            .withWeights(weights)
                            .withSurrogate(Surrogate.parse(surrogate));
                    String json = spec.toJson();
                    assertThat(json)
                            .contains("\"spikes\":\"" + spikes.id() + "\"")
                            .contains("\"weights\":\"" + weights.id() + "\"")
                            .contains("\"surrogate\":\"" + surrogate + "\"");
                    assertThat(ModelSpec.fromJson(json, "test")).isEqualTo(spec);
                }
            }
        }
        ModelSpec subBit = ModelZoo.defaultSpec("fmnist-vgg-s").withSubBit(4, true, 100);
        assertThat(subBit.toJson()).contains("\"weights\":\"sub-bit\",").contains("\"eta\":4,\"osQuant\":true");
        assertThat(ModelSpec.fromJson(subBit.toJson(), "test")).isEqualTo(subBit);
    }

    @Test
    void theDefaultsAreWrittenAsTheyAlwaysWere() {
        assertThat(ModelSpec.defaults("fmnist-cnn", 4, 1, 28, 10).toJson())
                .isEqualTo("{\"model\":\"fmnist-cnn\",\"timeSteps\":4,\"inChannels\":1,\"inSize\":28,\"numClasses\":10,"
                        + "\"spikes\":\"binary\",\"weights\":\"fp\",\"binaryEdges\":false,\"surrogate\":\"atan:2\","
                        + "\"tau\":0.5,\"vth\":1.0,\"detachReset\":true,\"eta\":0,\"osQuant\":false,"
                        + "\"codebookRefresh\":0}");
    }

    @Test
    void namesAreParsedWithOneLineErrors() {
        assertThat(SpikeKind.of("real", "--spikes")).isEqualTo(SpikeKind.REAL);
        assertThat(WeightKind.of("binary-fixed-alpha", "--weights")).isEqualTo(WeightKind.BINARY_FIXED_ALPHA);
        assertThat(WeightKind.BINARY_FIXED_ALPHA).hasToString("binary-fixed-alpha");
        assertThatThrownBy(() -> SpikeKind.of("REAL", "--spikes"))
                .isInstanceOf(SpikebitException.class)
                .hasMessage("--spikes must be one of binary, real, got \"REAL\"");
        assertThatThrownBy(() -> WeightKind.of("int8", "--weights"))
                .hasMessage("--weights must be one of fp, binary, binary-fixed-alpha, sub-bit, got \"int8\"");
        String missing = ModelZoo.defaultSpec("fmnist-cnn").toJson().replace(",\"spikes\":\"binary\"", "");
        assertThatThrownBy(() -> ModelSpec.fromJson(missing, "f.safetensors"))
                .hasMessage("f.safetensors: the model description is not valid: model fmnist-cnn: spikes, weights and "
                        + "surrogate must be given");
        String badType = ModelZoo.defaultSpec("fmnist-cnn").toJson().replace("\"timeSteps\":4", "\"timeSteps\":\"4\"");
        assertThatThrownBy(() -> ModelSpec.fromJson(badType, "f.safetensors"))
                .hasMessage("f.safetensors: the model description is not valid: field \"timeSteps\" is \"4\", "
                        + "expected a whole number");
    }
}
