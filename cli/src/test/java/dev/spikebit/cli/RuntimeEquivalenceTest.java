package dev.spikebit.cli;

import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.runtime.Model;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The runtime's logits equal the training engine's eval-mode logits (relative
 * error {@code max|a - b| / max|a| <= 1e-5}) on real Fashion-MNIST, for a ReverB (real-valued
 * spikes) and a binary-spike fmnist-cnn with binary weights, on each execution path; and they
 * equal the reference executor's ({@code ReferenceExecutor}) too; the per-layer adds, multiplies and
 * firing rates equal those of the quant module's {@code ModelReport} on the same images.
 *
 * <p>The three compute the same sums in different orders. An image on which a potential lies
 * within rounding of its threshold may fire differently and legitimately differ by more than 1e-5;
 * such an image must be a verified tie under the one rule of {@link Equivalence}, and it is
 * left out of the counter comparison. Every other image must agree to 1e-5.
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
        float[] images = RuntimeFixtures.images(data.test(), 0, TEST_IMAGES);

        float[] training = RuntimeFixtures.trainingLogits(deployed.network(), images, TEST_IMAGES, model.inputShape());
        RuntimeFixtures.assertEquivalent(name + ", spikes " + spikes, model, training, images, TEST_IMAGES);
    }
}
