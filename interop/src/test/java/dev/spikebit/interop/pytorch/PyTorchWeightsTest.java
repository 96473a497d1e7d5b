package dev.spikebit.interop.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.interop.npy.Npy;
import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fmnist-cnn weights saved by snnTorch (interop/fixtures/generate.py small): they import, give
 * snnTorch's outputs, and go back out bit for bit; bad files are refused with the tensor's name.
 */
class PyTorchWeightsTest {
    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(
                    PyTorchWeightsTest.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Path SNNTORCH = resource("fmnist_cnn_snntorch.safetensors");

    private static SpikingClassifier importSnnTorch(Path file) {
        return PyTorchWeights.read(
                file, StateDictLayout.builtIn("fmnist-cnn", "snntorch"), ModelZoo.defaultSpec("fmnist-cnn"));
    }

    @Test
    void snnTorchWeightsGiveSnnTorchsOutputs() {
        SpikingClassifier model = importSnnTorch(SNNTORCH);
        Npy.Array input = Npy.read(resource("fmnist_cnn_input.npy"));
        Npy.Array expected = Npy.read(resource("fmnist_cnn_snntorch_output.npy"));
        Tensor out;
        try (NoGrad g = NoGrad.enter()) {
            out = model.forward(Tensor.of(input.data(), input.shape()));
        }
        assertThat(out.shape()).containsExactly(expected.shape());
        float maxDiff = 0;
        for (int i = 0; i < out.size(); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(out.data()[i] - expected.data()[i]));
        }
        // A spike more or less moves an output by about a weight of fc2 (0.1 to 1); this is rounding.
        assertThat(maxDiff).isLessThan(1e-3f);
    }

    @Test
    void roundTripIsBitwise() {
        SpikingClassifier model = importSnnTorch(SNNTORCH);
        Path back = dir.resolve("back.safetensors");
        PyTorchWeights.write(back, model, StateDictLayout.builtIn("fmnist-cnn", "snntorch"));
        SafeTensorsFile original = SafeTensors.read(SNNTORCH);
        SafeTensorsFile written = SafeTensors.read(back);
        assertThat(written.names()).containsExactlyInAnyOrderElementsOf(original.names());
        for (String name : original.names()) {
            TensorEntry a = original.tensor(name);
            TensorEntry b = written.tensor(name);
            assertThat(b.dtype()).as(name).isEqualTo(a.dtype());
            assertThat(b.shape()).as(name).containsExactly(a.shape());
            if (!name.endsWith("num_batches_tracked")) {
                assertThat(b.toBytes()).as(name).isEqualTo(a.toBytes());
            }
        }
        // and through the plain layout, out and in again
        Path plain = dir.resolve("plain.safetensors");
        PyTorchWeights.write(plain, model, StateDictLayout.builtIn("fmnist-cnn", "plain"));
        SpikingClassifier again = PyTorchWeights.read(
                plain, StateDictLayout.builtIn("fmnist-cnn", "plain"), ModelZoo.defaultSpec("fmnist-cnn"));
        model.stateDict()
                .forEach((name, e) ->
                        assertThat(again.stateDict().get(name).data()).as(name).isEqualTo(e.data()));
    }

    @Test
    void spikingJellyWeightsGiveSpikingJellysOutputsAndGoBackBitForBit() {
        // written by SpikingJelly's own modules (conv_fc = nn.Sequential(layer.Conv2d, ...)), with its outputs
        Path file = resource("fmnist_cnn_spikingjelly.safetensors");
        StateDictLayout layout = StateDictLayout.builtIn("fmnist-cnn", "spikingjelly");
        SpikingClassifier model = PyTorchWeights.read(file, layout, ModelZoo.defaultSpec("fmnist-cnn"));
        Npy.Array input = Npy.read(resource("fmnist_cnn_spikingjelly_input.npy"));
        Npy.Array expected = Npy.read(resource("fmnist_cnn_spikingjelly_output.npy"));
        Tensor out;
        try (NoGrad g = NoGrad.enter()) {
            out = model.forward(Tensor.of(input.data(), input.shape()));
        }
        assertThat(out.shape()).containsExactly(expected.shape());
        float maxDiff = 0;
        for (int i = 0; i < out.size(); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(out.data()[i] - expected.data()[i]));
        }
        // A spike more or less moves an output by about a weight of the last layer (0.1 to 1); this is rounding.
        assertThat(maxDiff).isLessThan(1e-3f);
        Path back = dir.resolve("sj.safetensors");
        PyTorchWeights.write(back, model, layout);
        SafeTensorsFile original = SafeTensors.read(file);
        SafeTensorsFile written = SafeTensors.read(back);
        assertThat(written.names()).containsExactlyInAnyOrderElementsOf(original.names());
        for (String name : original.names()) {
            if (!name.endsWith("num_batches_tracked")) {
                assertThat(written.tensor(name).toBytes())
                        .as(name)
                        .isEqualTo(original.tensor(name).toBytes());
            }
        }
    }

    @Test
    void missingExtraAndMisShapedTensorsAreNamed() {
        SafeTensorsFile f = SafeTensors.read(SNNTORCH);
        Path missing = rewrite(f, "missing", "5.running_var", null);
        assertThatThrownBy(() -> importSnnTorch(missing))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("missing tensor \"5.running_var\"");
        Path extra = rewrite(f, "extra", null, TensorEntry.ofFloats("12.weight", new long[] {2}, new float[2]));
        assertThatThrownBy(() -> importSnnTorch(extra))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("extra tensor \"12.weight\"");
        Path shaped = rewrite(f, "shaped", "9.bias", TensorEntry.ofFloats("9.bias", new long[] {64}, new float[64]));
        assertThatThrownBy(() -> importSnnTorch(shaped))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"9.bias\" has shape [64]");
        Path subtract = rewrite(
                f,
                "subtract",
                "6.reset_mechanism_val",
                TensorEntry.ofLongs("6.reset_mechanism_val", new long[0], new long[] {0}));
        assertThatThrownBy(() -> importSnnTorch(subtract))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("6.reset_mechanism_val")
                .hasMessageContaining("reset by subtraction");
    }

    @Test
    void neuronConstantsSetTheSpec() {
        SafeTensorsFile f = SafeTensors.read(SNNTORCH);
        Path file = dir.resolve("beta.safetensors");
        List<TensorEntry> entries = new ArrayList<>();
        for (String name : f.names()) {
            entries.add(
                    name.endsWith(".beta")
                            ? TensorEntry.ofFloats(name, new long[0], new float[] {0.75f})
                            : f.tensor(name));
        }
        SafeTensors.write(file, entries, Map.of());
        assertThat(importSnnTorch(file).spec().tau()).isEqualTo(0.75f);
    }

    private Path rewrite(SafeTensorsFile f, String label, String drop, TensorEntry add) {
        List<TensorEntry> entries = new ArrayList<>();
        for (String name : f.names()) {
            if (!name.equals(drop)) {
                entries.add(f.tensor(name));
            }
        }
        if (add != null) {
            entries.add(add);
        }
        Path out = dir.resolve(label + ".safetensors");
        SafeTensors.write(out, entries, Map.of());
        return out;
    }
}
