package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The residual networks of the zoo in their deployed form (docs/reverb.md section 3), and the
 * deterministic equivalence fixture of docs/methods.md 2 (equivalence and the tie rule).
 *
 * <p>Untrained networks with fixed seeds, calibrated, then randomised batch norms (a quarter of the
 * gammas negative), two random 16x16 RGB images, T = 2: nothing here depends on training, data or
 * thread count, so the only freedom left between the computations is the order of their sums,
 * which is what the one rule's ties account for. Against the training network in evaluation mode
 * the rule holds neuron by neuron ({@link SpikeAgreement}), and for the deployed file as the runtime
 * loads and runs it, on every execution path with one thread and with two.
 */
class ResidualDeploymentTest {
    private static final int BATCH = 2;
    private static final int SIZE = 16;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, spikes {1}, weights {2}, binary edges {3}")
    @CsvSource({
        "resnet20, real, binary, false",
        "resnet20, binary, binary, false",
        "resnet20, real, fp, false",
        "resnet20, real, binary-fixed-alpha, true",
        "resnet20, binary, sub-bit, false",
        "ms-resnet18, real, binary, false",
        "ms-resnet18, binary, binary, true",
        "resnet19, real, binary, false"
    })
    void deployedResidualNetworkRunsInTheRuntimeWithTheTrainingNetworksLogits(
            String name, String spikes, String weights, boolean edges) {
        ModelSpec spec = ResidualModels.spec(name, spikes, weights, edges, 2, SIZE);
        SpikingClassifier model = ResidualModels.calibrated(spec, 5, 2);
        Graph deployed = Reparameterizer.deploy(model);
        assertThat(deployed.layers()).filteredOn(n -> n instanceof Layer.Add).isNotEmpty();

        float[] images = ResidualModels.images(new SplittableRandom(77), BATCH, SIZE);
        var agreement = new SpikeAgreement(model, deployed, images, BATCH);
        System.out.printf(
                "%s, spikes %s, weights %s, edges %s: %d of %d samples met a tie; max potential error "
                        + "%.2e over %,d neuron steps; logits relative error %.2e; firing %s%n",
                name,
                spikes,
                weights,
                edges,
                agreement.divergedCount(),
                BATCH,
                agreement.maxPotentialError,
                agreement.neuronSteps,
                agreement.relativeErrorOfAgreeingSamples(spec.numClasses()),
                agreement.firingRates().stream()
                        .map(r -> String.format("%.3f", r))
                        .toList());

        // Untrained and seen on two images, a layer may stay silent; the comparison needs the rest active.
        assertThat(agreement.firingRates())
                .as("neuron layers that fire")
                .filteredOn(r -> r > 0)
                .hasSizeGreaterThanOrEqualTo(agreement.firingRates().size() - 1);
        agreement.assertEquivalent(spec.numClasses());

        // The file, loaded and run by the runtime: every path, one thread and all of them.
        Path file = dir.resolve(name + ".safetensors");
        DeployedFormat.save(file, deployed);
        Model runtime = Model.load(file);
        for (ExecutionPath path : ExecutionPath.values()) {
            for (int threads : new int[] {1, 2}) {
                var result = Equivalence.compare(
                        deployed,
                        images,
                        BATCH,
                        agreement.trainingLogits,
                        runtime.infer(images, BATCH, path, threads).logits());
                assertThat(result.ties())
                        .as(path + ", " + threads + " threads: " + result.describe())
                        .isEmpty();
                assertThat(result.errors())
                        .as(path + ", " + threads + " threads: " + result.describe())
                        .isEmpty();
            }
        }
    }

    /**
     * resnet20's first block (identity shortcut) and first block of the second stage (1x1
     * projection): the branch ends in a sign conv and the affine of its folded batch norm, the
     * projection's first node reads the block's input, the add names both paths, and the neuron
     * after it keeps the training threshold.
     */
    @ParameterizedTest(name = "spikes {0}")
    @CsvSource({"binary", "real"})
    void residualBlocksBecomeBranchShortcutAddAndNeuron(String spikes) {
        SpikingClassifier model =
                ResidualModels.calibrated(ResidualModels.spec("resnet20", spikes, "binary", false, 2), 3, 1);
        Graph deployed = Reparameterizer.deploy(model);
        assertThat(kinds(deployed, "body.1."))
                .containsExactly(
                        "sign_conv body.1.conv1",
                        "neuron body.1.spike1",
                        "sign_conv body.1.conv2",
                        "affine body.1.bn2",
                        "add body.1.add",
                        "neuron body.1.spike2");
        assertThat(deployed.inputs().get("body.1.add")).containsExactly("body.1.bn2", "body.0");
        assertThat(kinds(deployed, "body.4."))
                .containsExactly(
                        "sign_conv body.4.conv1",
                        "neuron body.4.spike1",
                        "sign_conv body.4.conv2",
                        "affine body.4.bn2",
                        "sign_conv body.4.shortcut.conv",
                        "affine body.4.shortcut.bn",
                        "add body.4.add",
                        "neuron body.4.spike2");
        assertThat(deployed.inputs().get("body.4.shortcut.conv")).containsExactly("body.3.spike2");
        assertThat(deployed.inputs().get("body.4.add")).containsExactly("body.4.bn2", "body.4.shortcut.bn");
        // Only adds and projections read anything but their predecessor: 9 adds, 2 projections.
        assertThat(deployed.inputs()).hasSize(11);

        var after = (Layer.Neuron) node(deployed, "body.4.spike2");
        assertThat(after.threshold()).containsOnly(model.spec().vth());
        assertThat(after.bias()).isNull();
        assertThat(after.scale()).isNull();
        var folded = (Layer.Neuron) node(deployed, "body.4.spike1");
        assertThat(folded.bias()).isNotNull();
        assertThat(folded.scale() != null).isEqualTo(spikes.equals("real"));
    }

    /** MS-ResNet-18: the block outputs the sum itself; its input feeds the next block's neuron and shortcut. */
    @ParameterizedTest(name = "binary edges {0}")
    @CsvSource({"false", "true"})
    void membraneShortcutBlocksAddBeforeTheNextNeuron(boolean edges) {
        SpikingClassifier model =
                ResidualModels.calibrated(ResidualModels.spec("ms-resnet18", "real", "binary", edges, 1, 16), 4, 1);
        Graph deployed = Reparameterizer.deploy(model);
        List<String> stem = deployed.layers().subList(0, deployed.repeatIndex() + 1).stream()
                .map(Layer::kind)
                .toList();
        // With a binary first conv the stem's batch norm cannot fold into a neuron: it feeds a block.
        assertThat(stem)
                .containsExactlyElementsOf(
                        edges
                                ? List.of("normalize", "sign_conv", "affine", "repeat")
                                : List.of("normalize", "conv", "affine", "repeat"));
        assertThat(kinds(deployed, "body.0."))
                .containsExactly(
                        "neuron body.0.spike1",
                        "sign_conv body.0.conv1",
                        "neuron body.0.spike2",
                        "sign_conv body.0.conv2",
                        "affine body.0.bn2",
                        "add body.0.add");
        assertThat(deployed.inputs().get("body.0.add")).containsExactly("body.0.bn2", "repeat");
        assertThat(deployed.inputs().get("body.2.shortcut.conv")).containsExactly("body.1.add");
        assertThat(deployed.inputs().get("body.2.add")).containsExactly("body.2.bn2", "body.2.shortcut.bn");
        // The branch's last batch norm kept one gamma at 0: an affine holds k = 0 where a neuron could not.
        var bn2 = (Layer.Affine) node(deployed, "body.0.bn2");
        assertThat(bn2.scale()[0]).isZero();
        assertThat(DeployedFormat.formatOf(deployed)).isEqualTo("deployed-2");
    }

    private static List<String> kinds(Graph deployed, String prefix) {
        return deployed.layers().stream()
                .filter(n -> n.name().startsWith(prefix))
                .map(n -> n.kind() + " " + n.name())
                .toList();
    }

    private static Layer node(Graph deployed, String name) {
        return deployed.layers().stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
