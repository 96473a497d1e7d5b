package dev.spikebit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.kernels.ComputeEnvironment;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.neuron.surrogate.ATan;
import dev.spikebit.core.neuron.surrogate.Sigmoid;
import dev.spikebit.data.TwoSamples;
import dev.spikebit.runtime.io.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint as the versions before the typed model kinds wrote it (the metadata strings below
 * are those of such a file, written through Jackson): it loads, resumes, and every JSON value
 * it holds is written back byte for byte, so run stamps and files stay the same.
 */
class OlderCheckpointTest {
    private static final String MODEL = "{\"model\":\"vggsnn-s\",\"timeSteps\":1,\"inChannels\":2,\"inSize\":8,"
            + "\"numClasses\":3,\"spikes\":\"real\",\"weights\":\"binary\",\"binaryEdges\":false,"
            + "\"surrogate\":\"atan:2\",\"tau\":0.5,\"vth\":1.0,\"detachReset\":true,\"eta\":0,\"osQuant\":false,"
            + "\"codebookRefresh\":0}";
    private static final String CONFIG = "{\"spec\":" + MODEL + ",\"epochs\":3,\"batchSize\":16,"
            + "\"optimizer\":\"adam\",\"lr\":0.001,\"weightDecay\":0.0,\"momentum\":0.9,\"schedule\":\"step:100:0.5\","
            + "\"loss\":\"ce\",\"augment\":false,\"seed\":1,\"trainLimit\":64,\"testLimit\":32}";
    private static final String HISTORY = "[{\"epoch\":1,\"trainLoss\":2.1,\"trainAccuracy\":0.2,\"testLoss\":2.0,"
            + "\"testAccuracy\":0.25,\"imagesPerSecond\":100.0,\"seconds\":1.5,\"learningRate\":0.001}]";
    private static final String ENVIRONMENT = "{\"gemm\":\"blas\",\"gemmAuto\":\"blas\",\"blasCore\":\"Haswell\","
            + "\"threads\":2,\"vectorBits\":256,\"jdk\":\"25.0.1+8-LTS (Eclipse Adoptium)\",\"useAvx\":\"2\","
            + "\"cpu\":\"Intel(R) Xeon(R) CPU @ 2.20GHz\",\"cpuFeatures\":[\"sse4_1\",\"avx2\",\"fma\"]}";

    @TempDir
    Path dir;

    private Path checkpoint(String name, String model, String config) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("best_accuracy", "0.25");
        metadata.put("epoch", "1");
        metadata.put("history", HISTORY);
        metadata.put(Checkpoint.FORMAT_KEY, "checkpoint-1");
        metadata.put(Checkpoint.MODEL_KEY, model);
        metadata.put(Checkpoint.ENVIRONMENT_KEY, ENVIRONMENT);
        metadata.put("test_accuracy", "0.25");
        metadata.put("train_config", config);
        Path file = dir.resolve(name + ".safetensors");
        SafeTensors.write(file, List.of(), metadata);
        return file;
    }

    @Test
    void loadsResumesAndWritesEveryValueBackUnchanged() {
        Checkpoint c = Checkpoint.load(checkpoint("old", MODEL, CONFIG));
        assertThat(c.spec().spikes()).isEqualTo(SpikeKind.REAL);
        assertThat(c.spec().weights()).isEqualTo(WeightKind.BINARY);
        assertThat(c.spec().surrogate()).isEqualTo(new ATan(2f));
        assertThat(c.spec().toJson()).isEqualTo(MODEL);

        TrainConfig config = ResumeMetadata.config(c, null);
        assertThat(config.optimizer()).isEqualTo(TrainConfig.Optimizer.ADAM);
        assertThat(config.lr()).isEqualTo(1e-3f);
        assertThat(config.toJson()).isEqualTo(CONFIG);
        assertThat(ResumableRun.stamp(
                        config, null, TwoSamples.images("train", 3, 2, 8, 8), TwoSamples.images("test", 3, 2, 8, 8)))
                .startsWith("config " + CONFIG + "\n");

        ResumeMetadata.Progress progress = ResumeMetadata.progress(c, config.epochs());
        assertThat(progress.epoch()).isEqualTo(1);
        assertThat(EpochMetrics.toJson(progress.history())).isEqualTo(HISTORY);

        ComputeEnvironment environment = c.environment().orElseThrow();
        assertThat(environment.cpuFeatures()).containsExactly("sse4_1", "avx2", "fma");
        assertThat(environment.toJson()).isEqualTo(ENVIRONMENT);
    }

    @Test
    void olderSpellingsOfTheSurrogateAndMissingFieldsStillRead() {
        String older = MODEL.replace("\"atan:2\"", "\"Sigmoid:4.0\"")
                .replace(",\"eta\":0", "")
                .replace(",\"osQuant\":false", "")
                .replace(",\"codebookRefresh\":0", "");
        Checkpoint c = Checkpoint.load(checkpoint("older", older, CONFIG));
        assertThat(c.spec().surrogate()).isEqualTo(new Sigmoid(4f));
        assertThat(c.spec().eta()).isZero();
        assertThat(c.spec().toJson()).contains("\"surrogate\":\"sigmoid:4\"");
    }

    @Test
    void anUnknownKindIsRefusedInOneLineNamingTheAllowedOnes() {
        Path spikes = checkpoint("spikes", MODEL.replace("\"real\"", "\"analog\""), CONFIG);
        assertThatThrownBy(() -> Checkpoint.load(spikes))
                .isInstanceOf(SpikebitException.class)
                .hasMessage(spikes + ": the model description is not valid: spikes must be one of binary, real, "
                        + "got \"analog\"");
        Path weights = checkpoint("weights", MODEL.replace("\"binary\"", "\"ternary\""), CONFIG);
        assertThatThrownBy(() -> Checkpoint.load(weights))
                .hasMessage(weights + ": the model description is not valid: weights must be one of fp, binary, "
                        + "binary-fixed-alpha, sub-bit, got \"ternary\"");
        Path surrogate = checkpoint("surrogate", MODEL.replace("\"atan:2\"", "\"relu\""), CONFIG);
        assertThatThrownBy(() -> Checkpoint.load(surrogate))
                .hasMessageStartingWith(surrogate + ": the model description is not valid: surrogate 'relu': "
                        + "unknown name 'relu'; valid surrogates are atan[:alpha]");
        Checkpoint config = Checkpoint.load(checkpoint("config", MODEL, CONFIG.replace("\"adam\"", "\"rmsprop\"")));
        assertThatThrownBy(() -> ResumeMetadata.config(config, null))
                .hasMessage(config.source() + ": train_config.optimizer must be one of adam, adamw, sgd, nesterov, "
                        + "got \"rmsprop\"");
    }
}
