package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The deployed form of every weight and spike variant, including binary first and last layers
 * and a full-precision network, against its training network on images the network has not been
 * calibrated on (synthetic, so this runs without the dataset; the real-data check is
 * {@link ReparameterizationEquivalenceTest}).
 */
class DeployedNetworkTest {

    @ParameterizedTest(name = "{0}, spikes {1}, weights {2}, binary edges {3}")
    @CsvSource({
        "fmnist-cnn, binary, fp, false",
        "fmnist-cnn, real, fp, false",
        "fmnist-cnn, binary, binary, true",
        "fmnist-cnn, real, binary, true",
        "fmnist-cnn, real, binary-fixed-alpha, true",
        "fmnist-vgg-s, real, binary, false",
        "fmnist-vgg-s, binary, binary-fixed-alpha, true"
    })
    void deployedNetworkMatchesTheTrainingNetwork(String name, String spikes, String weights, boolean edges) {
        ModelSpec spec = RandomModels.spec(name, spikes, weights, edges);
        SpikingClassifier model = RandomModels.calibrated(spec, 21);
        Graph deployed = Reparameterizer.deploy(model);
        int batch = 16;
        float[] images = RandomModels.images(new SplittableRandom(99), batch);
        var agreement = new SpikeAgreement(model, deployed, images, batch);
        assertThat(agreement.firingRates()).allSatisfy(rate -> assertThat(rate).isGreaterThan(0.001));
        agreement.assertEquivalent(spec.numClasses());
    }

    @ParameterizedTest(name = "weights {0}, binary edges {1}")
    @CsvSource({"fp, false", "binary, false", "binary, true"})
    void deployedGraphHasTheExpectedNodes(String weights, boolean edges) {
        SpikingClassifier model = QuantModels.build(RandomModels.spec("real", weights, edges), 3);
        Graph deployed = Reparameterizer.deploy(model);
        String kinds =
                String.join(" ", deployed.layers().stream().map(Layer::kind).toList());
        String expected = switch (weights + edges) {
            case "fpfalse" ->
                "normalize conv affine repeat neuron max_pool conv affine neuron max_pool flatten linear "
                        + "neuron linear mean_over_time";
            case "binaryfalse" ->
                "normalize conv affine repeat neuron max_pool sign_conv neuron max_pool flatten "
                        + "sign_linear neuron linear mean_over_time";
            default ->
                "normalize sign_conv repeat neuron max_pool sign_conv neuron max_pool flatten sign_linear "
                        + "neuron sign_linear affine mean_over_time";
        };
        assertThat(kinds).isEqualTo(expected);
    }
}
