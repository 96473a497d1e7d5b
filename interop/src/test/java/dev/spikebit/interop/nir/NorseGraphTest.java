package dev.spikebit.interop.nir;

import static dev.spikebit.interop.nir.SnnTorchGraphTest.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The NIR paper's LIF graph, written by Norse together with Norse's recorded input and spikes
 * (nir_paper/README.md): spikebit fires at exactly Norse's steps. The neuron's input gain
 * r*dt/tau = 0.04 is divided out of the membrane, which the import reports.
 */
class NorseGraphTest {
    @Test
    void norseLifGraphFiresAtNorsesRecordedSteps() throws IOException {
        List<String> rows = Files.readAllLines(resource("nir_paper/lif_norse.csv"));
        float[] input = new float[rows.size()];
        float[] spikes = new float[rows.size()];
        for (int t = 0; t < rows.size(); t++) {
            String[] cols = rows.get(t).split(",");
            input[t] = Float.parseFloat(cols[0]);
            spikes[t] = Float.parseFloat(cols[2]) > 0 ? 1f : 0f;
        }
        NirNetwork net = NirNetwork.of(NirFile.read(resource("nir_paper/lif_norse.nir")), 1e-4);
        assertThat(net.notes()).singleElement().asString().contains("divided out of the membrane");
        Tensor out;
        try (NoGrad g = NoGrad.enter()) {
            out = net.forward(Tensor.of(input, input.length, 1, 1));
        }
        assertThat(out.data()).containsExactly(spikes);
        // a real comparison: Norse's neuron fires, and not at every input pulse
        float fired = 0;
        for (float s : spikes) {
            fired += s;
        }
        assertThat(fired).isEqualTo(4f);
    }
}
