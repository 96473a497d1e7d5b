package dev.spikebit.cli;

import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.quant.deploy.DeployedExecutor;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.DeployedModel;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.LayerStats;
import dev.spikebit.runtime.Model;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Issue 5, done-when: the runtime's logits equal the training engine's eval-mode logits (relative
 * error {@code max|a - b| / max|a| <= 1e-5}) on real Fashion-MNIST, for a ReverB (real-valued
 * spikes) and a binary-spike fmnist-cnn with binary weights, on each execution path; and they
 * equal the reference executor's ({@code DeployedExecutor}) too; the per-layer adds, multiplies and
 * firing rates equal those of the quant module's {@code ModelReport} on the same images.
 */
class RuntimeEquivalenceTest {
    private static final int TEST_IMAGES = 128;

    @TempDir
    static Path dir;

    @ParameterizedTest(name = "{0}, spikes {1}")
    @CsvSource({"fmnist-cnn, real", "fmnist-cnn, binary"})
    void runtimeGivesTheTrainingNetworksLogits(String name, String spikes) {
        FashionMnistData data = RuntimeFixtures.fashionMnist();
        RuntimeFixtures.Deployed deployed = RuntimeFixtures.deployed(name, spikes, 1280, dir);
        Model model = Model.load(deployed.file());
        DeployedModel reference = DeployedFormat.load(deployed.file());
        float[] images = RuntimeFixtures.images(data.test(), 0, TEST_IMAGES);

        float[] training = RuntimeFixtures.trainingLogits(deployed.network(), images, TEST_IMAGES, model.inputShape());
        float[] executor = DeployedExecutor.logits(reference, images, TEST_IMAGES);
        for (ExecutionPath path : ExecutionPath.values()) {
            Inference run = model.infer(images, TEST_IMAGES, path);
            double vsTraining = RuntimeFixtures.relativeError(training, run.logits());
            double vsExecutor = RuntimeFixtures.relativeError(executor, run.logits());
            System.out.printf("%s, spikes %s, path %s: relative error vs training %.2e, vs reference executor %.2e; "
                    + "densities %s%n", name, spikes, path, vsTraining, vsExecutor,
                    run.layers().stream().map(l -> String.format("%s %.3f", l.name(), l.inputDensity())).toList());
            assertThat(vsTraining).as("vs the training network, path " + path).isLessThanOrEqualTo(1e-5);
            assertThat(vsExecutor).as("vs the reference executor, path " + path).isLessThanOrEqualTo(1e-5);
            // The counters agree with the quant module's accounting of the same run (methods.md 4).
            var report = ModelReport.measure(reference, images, TEST_IMAGES);
            for (LayerStats layer : run.layers()) {
                var expected = report.layers().stream().filter(l -> l.name().equals(layer.name())).findFirst().orElseThrow();
                assertThat(layer.adds()).as("adds of " + layer.name()).isCloseTo(expected.acs(), within(1e-6 * (1 + expected.acs())));
                assertThat(layer.multiplies()).as("multiplies of " + layer.name())
                        .isCloseTo(expected.macs(), within(1e-6 * (1 + expected.macs())));
                if (layer.kind().equals("neuron")) {
                    assertThat(layer.firingRate()).as("firing of " + layer.name()).isCloseTo(expected.firingRate(), within(1e-9));
                }
            }
        }
    }
}
