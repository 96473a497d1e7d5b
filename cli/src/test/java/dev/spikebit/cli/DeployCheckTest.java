package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.quant.deploy.DeployedModel;
import dev.spikebit.quant.deploy.DeployedNode;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.train.deploy.EquivalenceCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The equivalence check of {@code spikebit deploy} and the quickstart: the deployed form of a
 * trained network passes on real images (threshold ties are reported, not failed), and a deployed
 * network that computes something else fails with the images named.
 */
class DeployCheckTest {
    @Test
    void deployedFormPassesAndATamperedOneFailsNamingTheImages(@TempDir Path dir) {
        var data = RuntimeFixtures.fashionMnist();
        var trained = RuntimeFixtures.deployed("fmnist-cnn", "real", 320, dir).network();
        DeployedModel deployed = Reparameterizer.deploy(trained);

        var ok = EquivalenceCheck.run(trained, deployed, data.test(), 128);
        assertThat(ok.images()).isEqualTo(128);
        assertThat(ok.passed()).as("real differences %s", ok.real()).isTrue();
        assertThat(ok.maxErrorOfAgreeing()).isLessThanOrEqualTo(1e-5);
        assertThat(ok.ties().size()).isLessThanOrEqualTo(2);
        assertThat(ok.summary()).contains("on 128 real test images");

        // Lower every threshold of the first neuron layer by a tenth: many neurons then fire that
        // did not, far from any tie.
        List<DeployedNode> nodes = new ArrayList<>(deployed.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) instanceof DeployedNode.Neuron n) {
                float[] lower = n.threshold().clone();
                for (int c = 0; c < lower.length; c++) {
                    lower[c] *= 0.9f;
                }
                nodes.set(i, new DeployedNode.Neuron(n.name(), n.tau(), n.output(), lower, n.bias(), n.scale()));
                break;
            }
        }
        DeployedModel tampered = new DeployedModel(
                deployed.model(), deployed.timeSteps(), deployed.inputShape(), deployed.numClasses(), nodes);
        var bad = EquivalenceCheck.run(trained, tampered, data.test(), 128);
        assertThat(bad.passed()).isFalse();
        // Nearly every image then differs; a neuron near its threshold is found in most of them, so the
        // check must not excuse them all as ties.
        assertThat(bad.real().size() + bad.ties().size()).isGreaterThan(64);
        assertThat(bad.real()).allSatisfy(i -> assertThat(i).isBetween(0, 127));
        assertThat(bad.failure()).contains("of 128 test images differ");
    }
}
