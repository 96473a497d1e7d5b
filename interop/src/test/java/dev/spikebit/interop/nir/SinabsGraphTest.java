package dev.spikebit.interop.nir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.interop.npy.Npy;
import org.junit.jupiter.api.Test;

/**
 * An event CNN written by Sinabs's NIR exporter (Conv2d, IF, SumPool2d, Flatten, Affine) runs in
 * spikebit with Sinabs's recorded outputs. Sinabs counts time in steps: dt = 1.
 */
class SinabsGraphTest {
    @Test
    void sinabsCnnGivesSinabsOutputs() {
        NirGraph graph = NirFile.read(SnnTorchGraphTest.resource("sinabs_cnn.nir"));
        NirNetwork net = NirNetwork.of(graph, 1.0);
        Npy.Array input = Npy.read(SnnTorchGraphTest.resource("sinabs_cnn_input.npy"));
        Npy.Array expected = Npy.read(SnnTorchGraphTest.resource("sinabs_cnn_output.npy"));
        Tensor out;
        try (NoGrad g = NoGrad.enter()) {
            out = net.forward(Tensor.of(input.data(), input.shape()));
        }
        assertThat(out.shape()).containsExactly(expected.shape());
        float maxDiff = 0;
        for (int i = 0; i < out.size(); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(out.data()[i] - expected.data()[i]));
        }
        assertThat(maxDiff).isLessThan(1e-4f);
        assertThat(net.layers().values().stream()
                        .filter(m -> m instanceof dev.spikebit.core.neuron.LIFNode)
                        .mapToDouble(m -> ((dev.spikebit.core.neuron.LIFNode) m).lastFiringRate()))
                .allSatisfy(rate -> assertThat(rate).isBetween(0.01, 0.99));
    }
}
