package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one rule by which two computations of a network count as equal ({@link Equivalence},
 * docs/methods.md 2, equivalence and the tie rule), on a one-neuron network whose potential is the image's single pixel: with
 * the threshold at the pixel's value the neuron is exactly at its threshold (a tie), with the
 * threshold far from it a changed output is an error.
 */
class EquivalenceTest {
    /** image -> linear (x 1) -> neuron (threshold) -> linear to two classes (+1, -1), T = 2. */
    private static Graph oneNeuron(float threshold) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer.Repeat("repeat"));
        layers.add(new Layer.Flatten("flat"));
        layers.add(new Layer.Linear("in", 1, 1, new float[] {1f}, null));
        layers.add(new Layer.Neuron("n", 1, 0f, false, new float[] {threshold}, null, null));
        layers.add(new Layer.Linear("out", 1, 2, new float[] {1f, -1f}, null));
        layers.add(new Layer.MeanOverTime("readout"));
        return Graph.of("one-neuron", 2, new int[] {1, 1, 1}, 2, layers);
    }

    @Test
    void theReferenceExecutorReportsEveryLayerAndThePotentials() {
        Graph graph = oneNeuron(0.5f);
        List<String> seen = new ArrayList<>();
        float[] logits = ReferenceExecutor.run(graph, new float[] {0.5f, 0.25f}, 2, new ReferenceExecutor.Observer() {
            @Override
            public void afterLayer(int image, int index, Layer layer, int step, float[] input, float[] output) {
                seen.add(image + " " + layer.name() + " " + step);
            }

            @Override
            public boolean wantsPotentials() {
                return true;
            }

            @Override
            public void potentials(int image, int index, Layer.Neuron layer, int step, float[] potentials) {
                seen.add(image + " U=" + potentials[0] + " at " + step);
            }
        });
        // tau 0: the potential is the input at every step; 0.5 fires at 0.5, 0.25 never.
        assertThat(logits).containsExactly(1f, -1f, 0f, 0f);
        assertThat(seen.subList(0, 8))
                .containsExactly(
                        "0 repeat -1",
                        "0 flat 0",
                        "0 in 0",
                        "0 U=0.5 at 0",
                        "0 n 0",
                        "0 out 0",
                        "0 readout 0",
                        "0 flat 1");
        assertThat(seen).contains("1 U=0.25 at 1", "1 readout 1").hasSize(26);
    }

    @Test
    void aDisagreementAtTheThresholdIsATieAndAnyOtherAnError() {
        float[] images = {0.5f, 0.5f, 0.5f};
        float[] expected = {1f, -1f, 1f, -1f, 1f, -1f};
        // Image 0 agrees to 1e-6; images 1 and 2 lost their spike.
        float[] actual = {1f, -1.000001f, 0f, 0f, 0f, 0f};

        Equivalence.Result atThreshold = Equivalence.compare(oneNeuron(0.5f), images, 3, expected, actual);
        assertThat(atThreshold.ties()).containsExactly(1, 2);
        assertThat(atThreshold.errors()).isEmpty();
        assertThat(atThreshold.maxErrorOfAgreeing()).isCloseTo(1e-6, org.assertj.core.api.Assertions.within(1e-7));
        assertThat(atThreshold.passed()).as("two ties are excused").isTrue();

        // Far from the threshold (0.5 against 0.4, 20%), the same difference is an error.
        Equivalence.Result far = Equivalence.compare(oneNeuron(0.4f), images, 3, expected, actual);
        assertThat(far.errors()).containsExactly(1, 2);
        assertThat(far.passed()).isFalse();
        assertThat(far.describe()).contains("2 of 3 images differ", "no neuron at its threshold");

        // Three ties among three images are more than the rule excuses.
        Equivalence.Result tied = atThreshold.then(Equivalence.compare(
                oneNeuron(0.5f), new float[] {0.5f}, 1, new float[] {1f, -1f}, new float[] {0f, 0f}));
        assertThat(tied.ties()).containsExactly(1, 2, 3);
        assertThat(tied.images()).isEqualTo(4);
        assertThat(tied.passed()).isFalse();
    }

    @Test
    void nearMeansWithinTheMarginRelativeToTheThreshold() {
        assertThat(Equivalence.nearThreshold(1.00005, 1.0)).isTrue();
        assertThat(Equivalence.nearThreshold(1.0002, 1.0)).isFalse();
        assertThat(Equivalence.nearThreshold(-0.0200019, -0.02)).isTrue();
        assertThat(Equivalence.nearThreshold(0.0201, 0.02)).isFalse();
        assertThat(Equivalence.closestToThreshold(oneNeuron(0.4f), new float[] {0.5f}))
                .isCloseTo(0.25, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(Equivalence.tiesAllowed(10)).isEqualTo(2);
        assertThat(Equivalence.tiesAllowed(256)).isEqualTo(8);
    }
}
