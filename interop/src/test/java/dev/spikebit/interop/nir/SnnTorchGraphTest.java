package dev.spikebit.interop.nir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.interop.npy.Npy;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A small CNN written by snnTorch's own NIR exporter (interop/fixtures/generate.py small) runs in
 * spikebit and gives snnTorch's recorded outputs at every step.
 */
class SnnTorchGraphTest {
    static Path resource(String name) {
        try {
            return Path.of(
                    SnnTorchGraphTest.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void snnTorchTinyCnnGivesSnnTorchsOutputs() {
        NirGraph graph = NirFile.read(resource("snntorch_tiny.nir"));
        NirNetwork net = NirNetwork.of(graph, 1e-4);
        Npy.Array input = Npy.read(resource("snntorch_tiny_input.npy"));
        Npy.Array expected = Npy.read(resource("snntorch_tiny_output.npy"));
        int steps = expected.shape()[0];
        int batch = input.shape()[0];
        int sample = input.data().length / batch;
        float[] repeated = new float[steps * input.data().length];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(input.data(), 0, repeated, t * input.data().length, input.data().length);
        }
        Tensor out = net.forward(Tensor.of(repeated, steps, batch, 1, 28, 28));
        assertThat(out.shape()).containsExactly(expected.shape());
        float maxDiff = 0;
        for (int i = 0; i < out.size(); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(out.data()[i] - expected.data()[i]));
        }
        // One spike more or less moves an output by a weight (about 0.1 to 1): 1e-4 is float rounding.
        assertThat(maxDiff).isLessThan(1e-4f);
        assertThat(sample).isEqualTo(784);
        // Both neuron layers fire, sometimes but not always: the comparison exercises the thresholds.
        net.layers().values().stream()
                .filter(m -> m instanceof LIFNode)
                .forEach(m -> assertThat(((LIFNode) m).lastFiringRate()).isBetween(0.01, 0.99));
    }
}
