package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.train.deploy.EquivalenceCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The equivalence check of {@code spikebit deploy} and the quickstart: the deployed file of a
 * trained network passes on real images (threshold ties are reported, not failed), and a deployed
 * network that computes something else fails with the images named.
 */
class DeployCheckTest {
    @Test
    void deployedFormPassesAndATamperedOneFailsNamingTheImages(@TempDir Path dir) {
        var data = RuntimeFixtures.fashionMnist();
        var fixture = RuntimeFixtures.deployed("fmnist-cnn", "real", 320, dir);
        var trained = fixture.network();

        var ok = EquivalenceCheck.run(trained, fixture.file(), data.test(), 128);
        assertThat(ok.images()).isEqualTo(128);
        assertThat(ok.passed()).as("real differences %s", ok.errors()).isTrue();
        assertThat(ok.maxErrorOfAgreeing()).isLessThanOrEqualTo(Equivalence.TOLERANCE);
        assertThat(ok.ties().size()).isLessThanOrEqualTo(Equivalence.tiesAllowed(128));
        assertThat(ok.describe()).contains("on 128 images");

        // Lower every threshold of the first neuron layer by a tenth: many neurons then fire that
        // did not, far from any tie.
        Graph deployed = Reparameterizer.deploy(trained);
        List<Layer> layers = new ArrayList<>(deployed.layers());
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Layer.Neuron n) {
                float[] lower = n.threshold().clone();
                for (int c = 0; c < lower.length; c++) {
                    lower[c] *= 0.9f;
                }
                layers.set(
                        i,
                        new Layer.Neuron(n.name(), n.channels(), n.tau(), n.realOutput(), lower, n.bias(), n.scale()));
                break;
            }
        }
        Path tampered = dir.resolve("tampered.safetensors");
        DeployedFormat.save(
                tampered,
                Graph.of(
                        deployed.model(),
                        deployed.timeSteps(),
                        deployed.inputShape(),
                        deployed.numClasses(),
                        layers,
                        deployed.inputs()));
        var bad = EquivalenceCheck.run(trained, tampered, data.test(), 128);
        assertThat(bad.passed()).isFalse();
        // Nearly every image then differs; a neuron near its threshold is found in most of them, so the
        // check must not excuse them all as ties.
        assertThat(bad.errors().size() + bad.ties().size()).isGreaterThan(64);
        assertThat(bad.errors()).allSatisfy(i -> assertThat(i).isBetween(0, 127));
        assertThat(bad.describe()).contains("of 128 images differ");
    }
}
