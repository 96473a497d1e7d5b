package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.QuantModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** export and import through the command line: a checkpoint goes out and comes back. */
class InteropCommandsTest {
    @TempDir
    Path dir;

    private Path checkpoint(String model, String weights, String spikes) {
        ModelSpec spec = ModelZoo.defaultSpec(model)
                .withWeights(WeightKind.of(weights, "weights"))
                .withSpikes(SpikeKind.of(spikes, "spikes"));
        SpikingClassifier m = QuantModels.build(spec, 5);
        SplittableRandom rng = new SplittableRandom(5);
        m.visit(layer -> {
            if (layer instanceof BatchNorm bn) {
                for (int c = 0; c < bn.channels(); c++) {
                    bn.beta().data()[c] = (float) rng.nextDouble(-0.3, 0.3);
                    bn.runningVar()[c] = (float) rng.nextDouble(0.5, 2);
                }
            }
        });
        Path file = dir.resolve(model + "-" + weights + "-" + spikes + ".safetensors");
        Checkpoint.save(file, spec, m, null, Map.of());
        return file;
    }

    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("spikebit: " + ex.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void pytorchExportAndImportGiveTheSameTensorsBitForBit() {
        Path ckpt = checkpoint("fmnist-cnn", "fp", "binary");
        Path torch = dir.resolve("w.safetensors");
        assertThat(run(
                        "export",
                        ckpt.toString(),
                        "--format",
                        "pytorch",
                        "--layout",
                        "snntorch",
                        "--out",
                        torch.toString())[0])
                .isEqualTo("0");
        Path out = dir.resolve("imported");
        assertThat(run(
                        "import",
                        "--from-pytorch",
                        torch.toString(),
                        "--model",
                        "fmnist-cnn",
                        "--layout",
                        "snntorch",
                        "--out",
                        out.toString())[0])
                .isEqualTo("0");
        var original = Checkpoint.load(ckpt).model();
        var back = Checkpoint.load(out.resolve("imported.safetensors")).model();
        assertThat(back.keySet()).isEqualTo(original.keySet());
        original.forEach((name, e) -> assertThat(back.get(name).data()).as(name).isEqualTo(e.data()));
    }

    @Test
    void subBitResidualModelLeavesAsNirAndComesBackBinaryWithItsOutputs() {
        // resnet20 on 2-channel event frames (no input normalisation), sub-bit at eta 4
        ModelSpec d = ModelZoo.defaultSpec("resnet20");
        ModelSpec spec = new ModelSpec(
                        d.model(),
                        4,
                        2,
                        8,
                        10,
                        d.spikes(),
                        WeightKind.FP,
                        false,
                        d.surrogate(),
                        d.tau(),
                        d.vth(),
                        d.detachReset())
                .withSubBit(4, true, 0)
                .withWeights(WeightKind.SUB_BIT);
        SpikingClassifier model = QuantModels.build(spec, 3);
        SplittableRandom rng = new SplittableRandom(3);
        model.visit(layer -> {
            if (layer instanceof BatchNorm bn) {
                for (int c = 0; c < bn.channels(); c++) {
                    bn.beta().data()[c] = (float) rng.nextDouble(0.0, 0.5);
                    bn.runningVar()[c] = (float) rng.nextDouble(0.5, 2);
                }
            }
        });
        model.eval();
        Path ckpt = dir.resolve("resnet20-subbit.safetensors");
        Checkpoint.save(ckpt, spec, model, null, Map.of());
        Path nir = dir.resolve("resnet20.nir");
        assertThat(run("export", ckpt.toString(), "--format", "nir", "--out", nir.toString())[0])
                .isEqualTo("0");
        Path out = dir.resolve("resnet20-back");
        assertThat(run("import", nir.toString(), "--weights", "binary", "--out", out.toString())[0])
                .isEqualTo("0");
        SpikingClassifier back = QuantModels.fromCheckpoint(Checkpoint.load(out.resolve("imported.safetensors")));
        assertThat(back.spec().model()).isEqualTo("resnet20");
        assertThat(back.spec().weights()).isEqualTo(WeightKind.BINARY);
        // alpha * codeword * BN scale re-binarizes to the same signs and magnitudes
        float[] x = new float[4 * 3 * 2 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
        }
        try (NoGrad g = NoGrad.enter()) {
            Tensor events = Tensor.of(x, 4, 3, 2, 8, 8);
            float[] want = model.forward(events).data();
            float[] got = back.forward(events).data();
            float maxDiff = 0;
            for (int i = 0; i < want.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
            }
            assertThat(maxDiff).isLessThan(1e-3f);
        }
    }

    @Test
    void nirExportImportsBackIntoTheZooModel() {
        Path ckpt = checkpoint("fmnist-cnn-avg", "binary", "binary");
        Path nir = dir.resolve("m.nir");
        assertThat(run("export", ckpt.toString(), "--format", "nir", "--out", nir.toString())[0])
                .isEqualTo("0");
        Path out = dir.resolve("back");
        assertThat(run("import", nir.toString(), "--out", out.toString())[0]).isEqualTo("0");
        Checkpoint back = Checkpoint.load(out.resolve("imported.safetensors"));
        assertThat(back.spec().model()).isEqualTo("fmnist-cnn-avg");
        assertThat(back.spec().weights()).isEqualTo(WeightKind.FP);
        assertThat(back.info("imported.from", "")).isEqualTo(nir.toString());
    }

    @Test
    void refusalsAreOneLineNamingTheReason() throws Exception {
        String[] reverb = run(
                "export",
                checkpoint("fmnist-cnn-avg", "binary", "real").toString(),
                "--format",
                "nir",
                "--out",
                dir.resolve("r.nir").toString());
        assertThat(reverb[0]).isEqualTo("1");
        assertThat(reverb[1]).contains("real-valued (ReverB) spikes").doesNotContain("\tat ");
        Path notHdf5 = dir.resolve("broken.nir");
        Files.writeString(notHdf5, "not an HDF5 file");
        String[] broken =
                run("import", notHdf5.toString(), "--out", dir.resolve("x").toString());
        assertThat(broken[0]).isEqualTo("1");
        assertThat(broken[1]).contains(notHdf5.toString()).contains("not a readable HDF5 file");
        String[] format = run(
                "export",
                checkpoint("fmnist-cnn", "fp", "binary").toString(),
                "--format",
                "onnx",
                "--out",
                dir.resolve("m.onnx").toString());
        assertThat(format[1]).contains("--format must be nir or pytorch");
    }
}
