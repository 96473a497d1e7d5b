package dev.spikebit.interop.nir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.QuantModels;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spikebit models out to NIR files and back: the graph computes what the model computes. */
class NirExportTest {
    @TempDir
    Path dir;

    /** fmnist-cnn-avg with batch norms that are not the identity and weights that make every layer fire. */
    static SpikingClassifier model(String weights, long seed) {
        SpikingClassifier m = QuantModels.build(
                ModelZoo.defaultSpec("fmnist-cnn-avg").withWeights(WeightKind.of(weights, "weights")), seed);
        SplittableRandom rng = new SplittableRandom(seed);
        m.visit(layer -> {
            if (layer instanceof BatchNorm bn) {
                for (int c = 0; c < bn.channels(); c++) {
                    bn.gamma().data()[c] = (float) rng.nextDouble(0.8, 1.6);
                    bn.beta().data()[c] = (float) rng.nextDouble(-0.1, 0.4);
                    bn.runningMean()[c] = (float) rng.nextDouble(-0.2, 0.2);
                    bn.runningVar()[c] = (float) rng.nextDouble(0.3, 1.5);
                }
            }
        });
        m.eval();
        return m;
    }

    static Tensor images(int batch, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[batch * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.4 ? (float) rng.nextDouble() : 0f;
        }
        return Tensor.of(x, batch, 1, 28, 28);
    }

    static Tensor repeated(Tensor x, int steps) {
        float[] out = new float[steps * x.size()];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(x.data(), 0, out, t * x.size(), x.size());
        }
        int[] shape = new int[x.rank() + 1];
        shape[0] = steps;
        System.arraycopy(x.shape(), 0, shape, 1, x.rank());
        return Tensor.of(out, shape);
    }

    static float maxDiff(Tensor a, Tensor b) {
        assertThat(a.shape()).containsExactly(b.shape());
        float m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
        }
        return m;
    }

    @Test
    void exportedGraphComputesTheModelsOutputs() {
        for (String weights : List.of("fp", "binary")) {
            SpikingClassifier model = model(weights, 3);
            Path file = dir.resolve(weights + ".nir");
            NirFile.write(file, NirExport.export(model, NirExport.DEFAULT_DT));
            NirGraph graph = NirFile.read(file);
            assertThat(graph.timeStep()).isEqualTo(NirExport.DEFAULT_DT);
            Tensor x = images(6, 9);
            try (NoGrad g = NoGrad.enter()) {
                Tensor expected = model.forward(x);
                // run as a NIR graph, with the step the file records
                Tensor viaGraph = NirNetwork.of(graph, Double.NaN).forward(repeated(x, 4));
                assertThat(maxDiff(viaGraph, expected)).as(weights).isLessThan(1e-3f);
                // and back into the zoo model
                ZooImport.Result back = ZooImport.toZoo(graph, Double.NaN, 0);
                assertThat(back.spec().model()).isEqualTo("fmnist-cnn-avg");
                assertThat(back.spec().tau()).isEqualTo(0.5f);
                assertThat(back.spec().vth()).isEqualTo(1f);
                assertThat(maxDiff(back.model().forward(x), expected))
                        .as(weights)
                        .isLessThan(1e-3f);
            }
        }
    }

    @Test
    void eventFrameVggLeavesAndComesBack() {
        // vggsnn-s on 2-channel event frames has no input normalisation, so it is a NIR chain
        ModelSpec d = ModelZoo.defaultSpec("vggsnn-s");
        ModelSpec spec = new ModelSpec(
                d.model(),
                4,
                2,
                34,
                10,
                d.spikes(),
                WeightKind.BINARY,
                false,
                d.surrogate(),
                d.tau(),
                d.vth(),
                d.detachReset());
        SpikingClassifier model = QuantModels.build(spec, 8);
        model.eval();
        NirGraph graph = NirExport.export(model, NirExport.DEFAULT_DT);
        SplittableRandom rng = new SplittableRandom(2);
        float[] x = new float[4 * 2 * 2 * 34 * 34];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.2 ? 1f : 0f;
        }
        Tensor events = Tensor.of(x, 4, 2, 2, 34, 34);
        try (NoGrad g = NoGrad.enter()) {
            Tensor expected = model.forward(events);
            ZooImport.Result back = ZooImport.toZoo(graph, Double.NaN, 0);
            assertThat(back.spec().model()).isEqualTo("vggsnn-s");
            assertThat(maxDiff(back.model().forward(events), expected)).isLessThan(1e-3f);
        }
    }

    @Test
    void binaryWeightsLeaveAsTwoValuesPerChannel() {
        NirGraph graph = NirExport.export(model("binary", 4), NirExport.DEFAULT_DT);
        NirNode.Conv2d hidden = (NirNode.Conv2d) graph.nodes().get("body_2");
        float[] w = hidden.weight().data();
        int per = w.length / 64;
        for (int c = 0; c < 64; c++) {
            Set<Float> magnitudes = new HashSet<>();
            for (int k = 0; k < per; k++) {
                magnitudes.add(Math.abs(w[c * per + k]));
            }
            assertThat(magnitudes).as("channel %d", c).hasSize(1);
        }
    }

    @Test
    void whatNirCannotExpressIsRefusedWithTheReason() {
        ModelSpec reverb = ModelZoo.defaultSpec("fmnist-cnn-avg").withSpikes(SpikeKind.REAL);
        assertThatThrownBy(() -> NirExport.export(QuantModels.build(reverb, 1), 1e-4))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("real-valued (ReverB) spikes");
        assertThatThrownBy(() -> NirExport.export(QuantModels.build(ModelZoo.defaultSpec("fmnist-cnn"), 1), 1e-4))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("normalises its input");
    }

    @Test
    void neuronParametersWithoutAnExactFormAreRefusedByName() {
        int[] s = {3};
        NirNode leak = new NirNode.Lif(
                NirArray.filled(2e-4f, s),
                NirArray.filled(2f, s),
                NirArray.filled(0.3f, s),
                NirArray.filled(1f, s),
                NirArray.filled(0f, s));
        assertThatThrownBy(() -> NirNetwork.of(chain("leaky", leak), 1e-4))
                .hasMessageContaining("NIR node \"leaky\" (LIF): v_leak is not 0");
        NirNode perNeuron = new NirNode.Lif(
                NirArray.of(new float[] {2e-4f, 3e-4f, 2e-4f}, s),
                NirArray.filled(2f, s),
                NirArray.filled(0f, s),
                NirArray.filled(1f, s),
                NirArray.filled(0f, s));
        assertThatThrownBy(() -> NirNetwork.of(chain("mixed", perNeuron), 1e-4))
                .hasMessageContaining("NIR node \"mixed\" (LIF): tau differs between its 3 neurons");
        NirNode plain = new NirNode.Lif(
                NirArray.filled(2e-4f, s),
                NirArray.filled(2f, s),
                NirArray.filled(0f, s),
                NirArray.filled(1f, s),
                NirArray.filled(0f, s));
        assertThatThrownBy(() -> NirNetwork.of(chain("nostep", plain), Double.NaN))
                .hasMessageContaining("NIR node \"nostep\" (LIF): needs the simulation time step dt");
        NirNode cuba = new NirNode.CubaLif(
                NirArray.filled(1e-3f, s),
                NirArray.filled(2e-3f, s),
                NirArray.filled(1f, s),
                NirArray.filled(0f, s),
                NirArray.filled(1f, s),
                NirArray.filled(0f, s),
                NirArray.filled(1f, s));
        assertThatThrownBy(() -> NirNetwork.of(chain("syn", cuba), 1e-4))
                .hasMessageContaining("NIR node \"syn\" (CubaLIF): spikebit has no neuron with a synaptic current");
    }

    @Test
    void residualGraphsSumTheirInputs() {
        // input -> a -> lif, input -> b -> lif: NIR sums the two edges into the neuron
        int[] s = {2};
        NirNode a = new NirNode.Linear(NirArray.of(new float[] {0.6f, 0f, 0f, 0.2f}, 2, 2));
        NirNode b = new NirNode.Linear(NirArray.of(new float[] {0.5f, 0f, 0f, 0.2f}, 2, 2));
        NirNode lif =
                new NirNode.IntegrateAndFire(NirArray.filled(1f, s), NirArray.filled(1f, s), NirArray.filled(0f, s));
        NirGraph g = new NirGraph(
                "test",
                Map.of("in", new NirNode.Input(s), "a", a, "b", b, "lif", lif, "out", new NirNode.Output(s)),
                List.of(
                        new NirGraph.Edge("in", "a"),
                        new NirGraph.Edge("in", "b"),
                        new NirGraph.Edge("a", "lif"),
                        new NirGraph.Edge("b", "lif"),
                        new NirGraph.Edge("lif", "out")),
                Double.NaN);
        Tensor y = NirNetwork.of(g, 1.0).forward(Tensor.of(new float[] {1f, 1f, 1f, 1f, 1f, 1f}, 3, 1, 2));
        // neuron 0 gets 1.1 per step and fires every step; neuron 1 gets 0.4: 0.4, 0.8, 1.2 -> fires at step 3
        assertThat(y.data()).containsExactly(1f, 0f, 1f, 0f, 1f, 1f);
    }

    private static NirGraph chain(String name, NirNode neuron) {
        int[] s = {3};
        return new NirGraph(
                "test",
                Map.of("in", new NirNode.Input(s), name, neuron, "out", new NirNode.Output(s)),
                List.of(new NirGraph.Edge("in", name), new NirGraph.Edge(name, "out")),
                Double.NaN);
    }
}
