package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.RealData;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.subbit.KernelStatistics;
import dev.spikebit.quant.subbit.SubBitConv2d;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.train.subbit.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** codebook, compress and the sub-bit checkpoint they make, end to end through the commands. */
class SubBitCommandsTest {
    @TempDir
    Path dir;

    private Path checkpoint(String weights, long seed) {
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-vgg-s").withWeights(WeightKind.of(weights, "weights"));
        SpikingClassifier model = QuantModels.build(spec, seed);
        Path file = dir.resolve(weights + "-" + seed + ".safetensors");
        Checkpoint.save(file, spec, model, null, Map.of());
        return file;
    }

    @Test
    void compressRefusesANonBinaryCheckpointAndABadEta() {
        Path fp = checkpoint("fp", 1);
        assertThatThrownBy(() -> Compression.fromBinary(Checkpoint.load(fp), 4, false, 0))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining(fp.toString())
                .hasMessageContaining("not a binary network")
                .hasMessageContaining("\"fp\"");
        Path binary = checkpoint("binary", 1);
        for (int eta : new int[] {0, 9, -1}) {
            assertThatThrownBy(() -> Compression.fromBinary(Checkpoint.load(binary), eta, false, 0))
                    .isInstanceOf(SpikebitException.class)
                    .hasMessageContaining("--eta must be in 1..8")
                    .hasMessageContaining(Integer.toString(eta));
        }
        var err = new java.io.StringWriter();
        int code = new CommandLine(new CompressCommand())
                .setErr(new java.io.PrintWriter(err))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println(e.getMessage());
                    return 2;
                })
                .execute(
                        "--from",
                        fp.toString(),
                        "--eta",
                        "4",
                        "--out",
                        dir.resolve("x").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("not a binary network");
    }

    @Test
    void compressedModelKeepsTheBinaryTensorsAndTakesCodebooksFromTheBinaryLayers() {
        Path binary = checkpoint("binary", 3);
        Checkpoint ckpt = Checkpoint.load(binary);
        SpikingClassifier model = Compression.fromBinary(ckpt, 5, true, 0);
        assertThat(model.spec().weights()).isEqualTo(WeightKind.SUB_BIT);
        assertThat(model.spec().eta()).isEqualTo(5);
        Map<String, SubBitConv2d> layers = new LinkedHashMap<>();
        Compression.collect(model, "", layers, SubBitConv2d.class);
        assertThat(layers).hasSize(3);
        layers.forEach((name, layer) -> {
            float[] latent = ckpt.model().get(name + ".weight").data();
            assertThat(layer.weight().data()).containsExactly(latent);
            assertThat(layer.alpha().data())
                    .containsExactly(ckpt.model().get(name + ".alpha").data());
            assertThat(layer.codebook()).isEqualTo(KernelStatistics.of(latent).codebook(5));
        });
    }

    @Test
    void codebookCompressDeployInspectOnRealFashionMnist() throws java.io.IOException {
        RealData.requireFashionMnist();
        Path binary = checkpoint("binary", 5);
        Path fp = checkpoint("fp", 6);
        Path pngs = dir.resolve("codebook");
        assertThat(new CommandLine(new CodebookCommand()).execute(binary.toString(), "--out", pngs.toString()))
                .isZero();
        try (var files = Files.list(pngs)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .hasSize(3)
                    .allSatisfy(name -> assertThat(name).startsWith("codebook-").endsWith(".png"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        Path out = dir.resolve("compress");
        assertThat(new CommandLine(new CompressCommand())
                        .execute(
                                "--from",
                                binary.toString(),
                                "--eta",
                                "4",
                                "--osquant",
                                "--mpfd",
                                "--teacher",
                                fp.toString(),
                                "--epochs",
                                "1",
                                "--batch-size",
                                "16",
                                "--train-limit",
                                "32",
                                "--test-limit",
                                "32",
                                "--out",
                                out.toString()))
                .isZero();
        Path subBit = out.resolve("subbit.safetensors");
        assertThat(Checkpoint.load(subBit).spec().eta()).isEqualTo(4);

        Path deployed = dir.resolve("deployed.safetensors");
        assertThat(new CommandLine(new DeployCommand())
                        .execute("--checkpoint", subBit.toString(), "--out", deployed.toString(), "--check", "64"))
                .isZero();
        assertThat(DeployedFormat.load(deployed).layers().stream().filter(n -> n instanceof Layer.CodewordConv))
                .hasSize(3);
        assertThat(new CommandLine(new InspectCommand()).execute(deployed.toString(), "--images", "16"))
                .isZero();
    }
}
