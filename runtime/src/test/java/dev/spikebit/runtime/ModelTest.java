package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.runtime.graph.Layer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime on a tiny network that uses every node kind (strided and 1x1 sign convolutions,
 * binary and real neurons, max, average and global pooling, full-precision edges), compared with a
 * plain scalar executor; the three execution paths, the thread split and concurrent callers.
 */
class ModelTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "binary first spikes: {0}")
    @ValueSource(booleans = {false, true})
    void everyPathGivesTheReferenceLogitsAndCounts(boolean binary) {
        Model model = Model.load(
                TinyModels.write(dir, "tiny.safetensors", TinyModels.bytes(TinyModels.everyKind(3, binary))));
        int batch = 12;
        float[] x = TinyModels.images(batch, 5);
        ReferenceCounts counts = new ReferenceCounts(model.graph());
        float[] expected = ReferenceExecutor.run(model.graph(), x, batch, counts);
        assertThat(expected).as("the network is not silent").satisfies(e -> {
            float max = 0;
            for (float v : e) {
                max = Math.max(max, Math.abs(v));
            }
            assertThat(max).isGreaterThan(0.01f);
        });
        for (ExecutionPath path : ExecutionPath.values()) {
            Inference run = model.infer(x, batch, path);
            assertThat(TinyModels.relativeError(expected, run.logits()))
                    .as("path " + path)
                    .isLessThanOrEqualTo(1e-5);
            int counted = 0;
            for (LayerStats s : run.layers()) {
                int index = indexOf(model, s.name());
                if (s.kind().contains("conv") || s.kind().contains("linear")) {
                    assertThat(s.adds() + s.multiplies())
                            .as(s.name())
                            .isCloseTo(counts.perImage(index, batch), within(1e-6));
                    counted++;
                }
            }
            assertThat(counted).isEqualTo(5);
            LayerStats first = run.layers().getFirst();
            assertThat(first.multiplies())
                    .as("the full-precision stem multiplies")
                    .isGreaterThan(0);
            assertThat(first.inputDensity()).isEqualTo(1.0);
        }
        Inference events = model.infer(x, batch, ExecutionPath.EVENTS);
        Inference dense = model.infer(x, batch, ExecutionPath.DENSE);
        LayerStats signConv = events.layers().stream()
                .filter(l -> l.name().equals("c4"))
                .findFirst()
                .orElseThrow();
        assertThat(signConv.eventRuns()).isEqualTo(batch * 3L);
        assertThat(signConv.denseRuns()).isZero();
        assertThat(signConv.adds()).as("a +-1 layer only adds").isGreaterThan(0);
        assertThat(signConv.multiplies()).isZero();
        assertThat(dense.layers().stream()
                        .filter(l -> l.name().equals("c4"))
                        .findFirst()
                        .orElseThrow()
                        .denseRuns())
                .isEqualTo(batch * 3L);
    }

    private static int indexOf(Model model, String name) {
        for (int i = 0; i < model.layers().size(); i++) {
            if (model.layers().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void neuronsFusedWithTheirPoolingOnOddPlanesGiveTheReferenceLogitsAndRates() {
        Model model = Model.load(
                TinyModels.write(dir, "pooled.safetensors", TinyModels.bytes(TinyModels.pooledOddPlanes(8))));
        int batch = 7;
        float[] x = TinyModels.images(batch, 9, 2 * 7 * 9);
        var rates = new java.util.HashMap<String, Double>();
        var spikes = new double[model.graph().layers().size()];
        var neurons = new double[spikes.length];
        float[] expected = ReferenceExecutor.run(model.graph(), x, batch, (image, index, layer, step, in, out) -> {
            if (layer instanceof Layer.Neuron) {
                for (float v : out) {
                    spikes[index] += v != 0f ? 1 : 0;
                }
                neurons[index] += out.length;
            }
        });
        for (int i = 0; i < spikes.length; i++) {
            if (neurons[i] > 0) {
                rates.put(model.graph().layers().get(i).name(), spikes[i] / neurons[i]);
            }
        }
        assertThat(rates.values())
                .as("every neuron layer fires, and not always")
                .allSatisfy(r -> assertThat(r).isStrictlyBetween(0.0, 1.0));
        for (ExecutionPath path : ExecutionPath.values()) {
            Inference run = model.infer(x, batch, path);
            assertThat(TinyModels.relativeError(expected, run.logits()))
                    .as("path " + path)
                    .isLessThanOrEqualTo(1e-5);
            for (LayerStats s : run.layers()) {
                if (rates.containsKey(s.name())) {
                    assertThat(s.firingRate()).as(s.name()).isCloseTo(rates.get(s.name()), within(1e-12));
                }
            }
        }
    }

    @Test
    void theThreadSplitDoesNotChangeTheResult() {
        Model model =
                Model.load(TinyModels.write(dir, "tiny.safetensors", TinyModels.bytes(TinyModels.everyKind(4, false))));
        float[] x = TinyModels.images(9, 6);
        float[] one = model.infer(x, 9, ExecutionPath.AUTO, 1).logits();
        assertThat(model.infer(x, 9, ExecutionPath.AUTO, 2).logits()).containsExactly(one);
        assertThat(model.infer(x, 9, ExecutionPath.AUTO, 5).logits()).containsExactly(one);
        // Image by image gives the same as the batch: nothing leaks between images.
        int[] labels = model.predict(x, 9);
        for (int b = 0; b < 9; b++) {
            assertThat(model.predict(java.util.Arrays.copyOfRange(x, b * 162, (b + 1) * 162)))
                    .isEqualTo(labels[b]);
        }
    }

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        Model model =
                Model.load(TinyModels.write(dir, "tiny.safetensors", TinyModels.bytes(TinyModels.everyKind(5, false))));
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(TinyModels.images(3 + i, 100 + i));
            expected.add(
                    model.infer(inputs.get(i), 3 + i, ExecutionPath.AUTO, 1).logits());
        }
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    futures.add(callers.submit(() -> model.logits(inputs.get(n), 3 + n)));
                }
            }
            for (int f = 0; f < futures.size(); f++) {
                assertThat(futures.get(f).get()).containsExactly(expected.get(f % 8));
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void theProfileTimesEveryLayerAndLeavesResultsAlone() {
        Model model =
                Model.load(TinyModels.write(dir, "tiny.safetensors", TinyModels.bytes(TinyModels.everyKind(4, false))));
        float[] x = TinyModels.images(5, 7);
        float[] before = model.infer(x, 5, ExecutionPath.AUTO, 1).logits();
        List<LayerTime> profile = model.profile(x, 5, ExecutionPath.AUTO, 2);
        assertThat(profile)
                .extracting(LayerTime::name)
                .containsExactlyElementsOf(
                        model.layers().stream().map(l -> l.name()).toList());
        assertThat(profile).allSatisfy(t -> assertThat(t.microsPerImage()).isNotNegative());
        assertThat(profile.stream().mapToDouble(LayerTime::microsPerImage).sum())
                .isPositive();
        // The profiled executor goes back to the pool untimed and with its counters at zero.
        Inference after = model.infer(x, 5, ExecutionPath.AUTO, 1);
        assertThat(after.logits()).containsExactly(before);
        assertThat(after.layers().getFirst().inputDensity()).isEqualTo(1.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.profile(x, 5, ExecutionPath.AUTO, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 rounds");
    }

    @Test
    void wrongInputSizeIsRefusedNamingTheShape() {
        Model model =
                Model.load(TinyModels.write(dir, "tiny.safetensors", TinyModels.bytes(TinyModels.everyKind(5, false))));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.logits(new float[100], 1))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessageContaining("[2, 9, 9]");
    }
}
