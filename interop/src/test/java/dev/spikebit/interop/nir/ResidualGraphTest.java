package dev.spikebit.interop.nir;

import static dev.spikebit.interop.nir.NirExportTest.maxDiff;
import static dev.spikebit.interop.nir.SnnTorchGraphTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.interop.npy.Npy;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.subbit.SubBitConv2d;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Residual graphs in and out. The fixture is resnet20's layout on 2x8x8 event frames, written by
 * NIR's Python reference and run by snnTorch (interop/fixtures/generate.py small): it becomes the
 * zoo's resnet20 and gives snnTorch's outputs at every step. spikebit's residual models leave as
 * NIR graphs that compute what the models compute and come back into the zoo.
 */
class ResidualGraphTest {
    @TempDir
    Path dir;

    @Test
    void residualGraphWrittenByNirImportsAsResnet20WithSnnTorchsOutputs() {
        NirGraph graph = NirFile.read(resource("residual_resnet20.nir"));
        Npy.Array input = Npy.read(resource("residual_resnet20_input.npy"));
        Npy.Array expected = Npy.read(resource("residual_resnet20_output.npy"));
        Tensor x = Tensor.of(input.data(), input.shape());
        Tensor want = Tensor.of(expected.data(), expected.shape());
        // snnTorch's importer assumes dt = 1e-4 s; the file records none
        ZooImport.Result r = ZooImport.toZoo(graph, 1e-4, input.shape()[0]);
        assertThat(r.spec().model()).isEqualTo("resnet20");
        assertThat(r.spec().inChannels()).isEqualTo(2);
        assertThat(r.spec().inSize()).isEqualTo(8);
        assertThat(r.spec().tau()).isEqualTo(0.5f);
        assertThat(r.notes()).isEmpty();
        try (NoGrad g = NoGrad.enter()) {
            // One spike more or less moves an output by a weight (0.1 or more): 1e-4 is float rounding.
            assertThat(maxDiff(r.model().forward(x), want)).isLessThan(1e-4f);
            NirNetwork net = NirNetwork.of(graph, 1e-4);
            assertThat(maxDiff(net.forward(x), want)).isLessThan(1e-4f);
            // The deep blocks fire, sometimes but not always: the comparison exercises every threshold.
            List<Double> rates = new ArrayList<>();
            r.model().visit(m -> {
                if (m instanceof LIFNode n) {
                    rates.add(n.lastFiringRate());
                }
            });
            assertThat(rates).hasSize(19).allSatisfy(rate -> assertThat(rate).isBetween(0.02, 0.98));
        }
    }

    @Test
    void residualModelsLeaveAndComeBackWithTheirOutputs() {
        for (String weights : List.of("fp", "binary", "sub-bit")) {
            SpikingClassifier model = resnet20(weights, 5);
            Path file = dir.resolve(weights + ".nir");
            NirFile.write(file, NirExport.export(model, NirExport.DEFAULT_DT));
            NirGraph graph = NirFile.read(file);
            // 9 blocks: spike2 sums two edges each, 2 of them through a 1x1 shortcut conv
            long sums = graph.nodes().keySet().stream()
                    .filter(n -> graph.inputsOf(n).size() == 2)
                    .count();
            assertThat(sums).as(weights).isEqualTo(9);
            assertThat(graph.nodes().keySet().stream().filter(n -> n.endsWith("_shortcut")))
                    .as(weights)
                    .hasSize(2);
            Tensor x = events(3, 7);
            try (NoGrad g = NoGrad.enter()) {
                Tensor expected = model.forward(x);
                Tensor viaGraph = NirNetwork.of(graph, Double.NaN).forward(x);
                assertThat(maxDiff(viaGraph, expected)).as(weights).isLessThan(1e-3f);
                ZooImport.Result back = ZooImport.toZoo(graph, Double.NaN, 0);
                assertThat(back.spec().model()).isEqualTo("resnet20");
                assertThat(maxDiff(back.model().forward(x), expected))
                        .as(weights)
                        .isLessThan(1e-3f);
            }
        }
    }

    @Test
    void subBitWeightsLeaveAsTheirCodewordsTimesAlpha() {
        SpikingClassifier model = resnet20("sub-bit", 6);
        NirGraph graph = NirExport.export(model, NirExport.DEFAULT_DT);
        SubBitConv2d conv =
                (SubBitConv2d) model.body().layers().get(1).children().get("conv1");
        float[] w =
                ((NirNode.Conv2d) graph.nodes().get("body_1_conv1")).weight().data();
        float[] signs = conv.selectedSigns();
        int perChannel = 16 * 9;
        Set<Integer> patterns = new HashSet<>();
        for (int c = 0; c < 16; c++) {
            // alpha[c] times the BN scale: one magnitude per output channel, the signs the codewords'
            Set<Float> magnitudes = new HashSet<>();
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                magnitudes.add(Math.abs(w[i]));
                assertThat(Math.signum(w[i])).isEqualTo(signs[i]);
            }
            assertThat(magnitudes).hasSize(1);
        }
        for (int kernel = 0; kernel < w.length / 9; kernel++) {
            int pattern = 0;
            for (int k = 0; k < 9; k++) {
                pattern = pattern << 1 | (w[kernel * 9 + k] > 0 ? 1 : 0);
            }
            patterns.add(pattern);
        }
        // 256 kernels drawn from a codebook of 2^eta = 16 sign patterns
        assertThat(patterns.size()).isBetween(2, 1 << conv.eta());
    }

    @Test
    void graphsThatFitNoZooModelAreRefusedNamingTheNode() {
        NirGraph graph = NirFile.read(resource("residual_resnet20.nir"));
        // drop the sum of one block: its shortcut edge goes, the block no longer adds
        List<NirGraph.Edge> edges = new ArrayList<>(graph.edges());
        edges.remove(new NirGraph.Edge("layer1_1_lif2", "layer1_2_lif2"));
        NirGraph broken = new NirGraph(graph.version(), graph.nodes(), edges, Double.NaN);
        assertThatThrownBy(() -> ZooImport.toZoo(broken, 1e-4, 0))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("fits no zoo model")
                .hasMessageContaining("resnet20: layer body_3_spike2")
                .hasMessageContaining("\"layer1_2_lif2\" (LIF): its inputs are [\"layer1_2_conv2\"]")
                .hasMessageContaining("fmnist-cnn-avg: model fmnist-cnn-avg takes 1x28x28 input");
        // the same graph without the sum still runs as a NIR network
        assertThat(NirNetwork.of(broken, 1e-4).layers()).hasSize(graph.nodes().size() - 2);
    }

    @Test
    void membraneShortcutBlocksAreRefusedWithTheReason() {
        ModelSpec spec = ModelZoo.defaultSpec("ms-resnet18");
        ModelSpec events = new ModelSpec(
                spec.model(),
                spec.timeSteps(),
                2,
                8,
                10,
                spec.spikes(),
                WeightKind.FP,
                false,
                spec.surrogate(),
                spec.tau(),
                spec.vth(),
                spec.detachReset());
        assertThatThrownBy(() -> NirExport.export(QuantModels.build(events, 1), 1e-4))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("layer body_0 is a membrane-shortcut block");
    }

    /** resnet20 on 2x8x8 event frames (no input normalisation), BN statistics that are not the identity. */
    static SpikingClassifier resnet20(String weights, long seed) {
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
                d.detachReset());
        spec = weights.equals("sub-bit")
                ? spec.withSubBit(4, true, 0).withWeights(WeightKind.SUB_BIT)
                : spec.withWeights(WeightKind.of(weights, "weights"));
        SpikingClassifier m = QuantModels.build(spec, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        m.visit(layer -> {
            if (layer instanceof BatchNorm bn) {
                for (int c = 0; c < bn.channels(); c++) {
                    bn.gamma().data()[c] = (float) rng.nextDouble(0.8, 1.6);
                    bn.beta().data()[c] = (float) rng.nextDouble(0.0, 0.5);
                    bn.runningMean()[c] = (float) rng.nextDouble(-0.2, 0.2);
                    bn.runningVar()[c] = (float) rng.nextDouble(0.3, 1.5);
                }
            }
        });
        m.eval();
        return m;
    }

    static Tensor events(int batch, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[4 * batch * 2 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
        }
        return Tensor.of(x, 4, batch, 2, 8, 8);
    }
}
