package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.runtime.graph.Graph;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/methods.md 2: the training network in evaluation mode and its re-parameterized standard form
 * give the same logits (relative error {@code max|a - b| / max|a| <= 1e-5}) on real Fashion-MNIST
 * test images, for binary and ReverB real-valued spikes, trained and fixed amplitudes.
 *
 * <p>Each network is trained briefly (Adam 1e-3, batch 8, 120 steps over a subset), so batch-norm
 * statistics, amplitudes and latent weights are those of training. Before deploying, every batch
 * norm is randomised, a quarter of its gammas negative, so the sign flip of negative scales is
 * exercised.
 *
 * <p>Two float computations of one sum differ in the last bits, so a potential within rounding of
 * the threshold may fire in one network and not in the other ({@link SpikeAgreement}); such a
 * sample legitimately diverges. The test requires that every firing decision agrees except at
 * such ties, that the pre-spike potentials agree, that ties are rare, and compares the logits of
 * the samples without a tie.
 */
class ReparameterizationEquivalenceTest {
    private static final int TRAIN_IMAGES = Integer.getInteger("spikebit.test.trainImages", 960);
    private static final int TRAIN_BATCH = 8;
    private static final int TEST_IMAGES = 128;

    @ParameterizedTest(name = "spikes {0}, weights {1}")
    @CsvSource({"binary, binary", "real, binary", "binary, binary-fixed-alpha", "real, binary-fixed-alpha"})
    void deployedNetworkGivesTheTrainingNetworksLogits(String spikes, String weights) {
        FashionMnistData data = TrainingFixtures.fashionMnist();
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn")
                .withSpikes(SpikeKind.of(spikes, "spikes"))
                .withWeights(WeightKind.of(weights, "weights"));
        SpikingClassifier model = QuantModels.build(spec, 11);
        long start = System.nanoTime();
        float loss = TrainingFixtures.train(model, data.train(), TRAIN_IMAGES, TRAIN_BATCH);
        double seconds = (System.nanoTime() - start) / 1e9;
        TrainingFixtures.randomizeBatchNorms(model, new SplittableRandom(spikes.length() * 31L + weights.length()));

        Graph deployed = Reparameterizer.deploy(model);
        float[] images = TrainingFixtures.images(data.test(), 0, TEST_IMAGES);
        SpikeAgreement agreement = new SpikeAgreement(model, deployed, images, TEST_IMAGES);
        double error = agreement.relativeErrorOfAgreeingSamples(spec.numClasses());
        System.out.printf(
                "spikes %s, weights %s: trained on %d images in %.1f s, last loss %.3f; %d of %d samples "
                        + "met a tie; max potential error %.2e; logits relative error %.2e; firing %s%n",
                spikes,
                weights,
                TRAIN_IMAGES,
                seconds,
                loss,
                agreement.divergedCount(),
                TEST_IMAGES,
                agreement.maxPotentialError,
                error,
                agreement.firingRates());

        assertThat(agreement.firingRates())
                .as("every neuron layer is active")
                .allSatisfy(rate -> assertThat(rate).isBetween(0.005, 0.995));
        agreement.assertEquivalent(spec.numClasses());
    }
}
