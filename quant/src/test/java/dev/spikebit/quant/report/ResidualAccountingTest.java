package dev.spikebit.quant.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The accounting of residual networks (docs/methods.md 4, docs/reverb.md section 5): a projection
 * shortcut counts the operations of what it actually reads, the block's input rather than its
 * predecessor; additions and affine maps are listed but not counted; the summary lists every
 * layer of every block exactly once, with the additions.
 */
class ResidualAccountingTest {
    private static final int IMAGES = 2;

    /**
     * resnet20's first projection ({@code body.4.shortcut.conv}, 1x1, stride 2, 16 -> 32) reads
     * the spikes of {@code body.3.spike2}: each non-zero spike at an even row and column meets 32
     * weights, the others none. MS-ResNet-18's ({@code body.2.shortcut.conv}, 64 -> 128) reads the
     * previous block's sum, which is dense: every input element at an even position counts.
     */
    @ParameterizedTest(name = "{0}, spikes {1}")
    @CsvSource({
        "resnet20, real, 16, body.4, body.3.spike2",
        "resnet20, binary, 16, body.4, body.3.spike2",
        "ms-resnet18, real, 16, body.2, body.1.add"
    })
    void projectionShortcutCountsTheBlockInputItReads(
            String name, String spikes, int size, String block, String blockInput) {
        SpikingClassifier model = QuantModels.build(spec(name, spikes, size, 2), 9);
        model.eval();
        Graph deployed = Reparameterizer.deploy(model);
        float[] images = randomImages(new SplittableRandom(4), IMAGES, size);

        int inputIndex = indexOf(deployed, blockInput);
        int[] shape = deployed.shapes().get(inputIndex);
        int outChannels = deployed.shapes().get(indexOf(deployed, block + ".shortcut.conv"))[0];
        boolean dense = blockInput.endsWith(".add");
        double[] expected = new double[1];
        ReferenceExecutor.run(deployed, images, IMAGES, (image, index, node, step, input, output) -> {
            if (index != inputIndex) {
                return;
            }
            int plane = shape[1] * shape[2];
            for (int i = 0; i < output.length; i++) {
                int y = i % plane / shape[2];
                int x = i % shape[2];
                if (y % 2 == 0 && x % 2 == 0 && (dense || output[i] != 0f)) {
                    expected[0] += outChannels;
                }
            }
        });

        ModelReport report = ModelReport.measure(deployed, images);
        LayerReport shortcut = layer(report, block + ".shortcut.conv");
        assertThat(expected[0]).isPositive();
        assertThat(shortcut.acs()).isEqualTo(expected[0] / IMAGES);
        assertThat(shortcut.macs()).isZero();
        assertThat(shortcut.bitsPerWeight()).isEqualTo(1);

        LayerReport add = layer(report, block + ".add");
        assertThat(add.kind()).isEqualTo("add");
        assertThat(add.macs() + add.acs())
                .as("additions of the residual sum are not counted")
                .isZero();
        assertThat(add.bytes()).isZero();
        assertThat(layer(report, block + ".bn2").macs()
                        + layer(report, block + ".bn2").acs())
                .isZero();
        assertThat(report.table()).contains(block + ".add");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"resnet20", "ms-resnet18", "resnet19"})
    void summaryListsEveryLayerOfEveryBlockOnceWithTheAdditions(String name) {
        SpikingClassifier model = QuantModels.build(spec(name, "real", 16, 1), 2);
        ModelSummary summary = ModelSummary.of(model);
        assertThat(summary.oneBitParams() + summary.floatParams()).isEqualTo(model.parameterCount());
        assertThat(summary.rows()).extracting(ModelSummary.Row::name).doesNotHaveDuplicates();
        long adds =
                summary.rows().stream().filter(r -> r.name().endsWith(".add")).count();
        assertThat(adds)
                .isEqualTo(
                        switch (name) {
                            case "resnet20" -> 9;
                            case "ms-resnet18" -> 8;
                            default -> 8;
                        });
        ModelSummary.Row firstAdd = summary.rows().stream()
                .filter(r -> r.name().endsWith(".add"))
                .findFirst()
                .orElseThrow();
        assertThat(firstAdd.outputShape()).hasSize(3);
        assertThat(summary.rows().getLast().outputShape()).containsExactly(10);
        assertThat(summary.table()).contains("Add(branch + shortcut)", "shortcut.conv");
    }

    private static int indexOf(Graph model, String name) {
        for (int i = 0; i < model.layers().size(); i++) {
            if (model.layers().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no node " + name);
    }

    private static LayerReport layer(ModelReport report, String name) {
        return report.layers().stream()
                .filter(l -> l.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** The zoo's CIFAR-10 spec with binary weights, at another image size and T (smaller is faster). */
    private static ModelSpec spec(String name, String spikes, int size, int timeSteps) {
        ModelSpec d = ModelZoo.defaultSpec(name)
                .withSpikes(SpikeKind.of(spikes, "spikes"))
                .withWeights(WeightKind.BINARY);
        return new ModelSpec(
                d.model(),
                timeSteps,
                d.inChannels(),
                size,
                d.numClasses(),
                d.spikes(),
                d.weights(),
                d.binaryEdges(),
                d.surrogate(),
                d.tau(),
                d.vth(),
                d.detachReset());
    }

    private static float[] randomImages(SplittableRandom rng, int count, int size) {
        float[] out = new float[count * 3 * size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) rng.nextDouble();
        }
        return out;
    }
}
