package dev.spikebit.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Direct encoding feeds the stem output into the first neurons without making T copies of it
 * ({@code LIFNode.forwardRepeated}); the network must compute what it computes with the copies
 * ({@code TimeOps.repeatTime}, then the body): the same logits and parameter gradients, up to
 * float rounding (the order of the T-fold sum, and the GEMMs').
 */
class RepeatedStemTest {
    @ParameterizedTest
    @ValueSource(strings = {"binary", "real"})
    void firstNeuronsOnTheStemOutputEqualTheRepeatedCopies(String spikes) {
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn").withSpikes(SpikeKind.of(spikes, "spikes"));
        var rng = new SplittableRandom(3);
        float[] pixels = new float[4 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        int[] labels = {0, 3, 9, 7};
        Tensor x = Tensor.of(pixels, 4, 1, 28, 28);

        SpikingClassifier shortcut = ModelZoo.build(spec, 5);
        Tensor logits = shortcut.logits(x);
        Losses.crossEntropy(logits, labels).backward();

        SpikingClassifier copies = ModelZoo.build(spec, 5);
        Tensor steps = copies.body().forward(TimeOps.repeatTime(copies.stem().forward(x), spec.timeSteps()));
        Tensor expected = TimeOps.meanOverTime(steps);
        Losses.crossEntropy(expected, labels).backward();

        // The neurons' outputs are bitwise those of the copies; the GEMMs after them may round
        // differently from call to call (OpenBLAS's kernels depend on the arrays' alignment).
        float[] got = logits.data();
        float[] want = expected.data();
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], within(1e-5f + 1e-5f * Math.abs(want[i])));
        }
        List<Parameter> a = shortcut.parameters();
        List<Parameter> b = copies.parameters();
        assertThat(a).hasSameSizeAs(b);
        int compared = 0;
        for (int p = 0; p < a.size(); p++) {
            if (!b.get(p).value().hasGrad()) {
                assertThat(a.get(p).value().hasGrad()).isFalse();
                continue;
            }
            float[] ga = a.get(p).grad();
            float[] gb = b.get(p).grad();
            for (int i = 0; i < gb.length; i++) {
                assertThat(ga[i])
                        .as("%s[%d]", b.get(p).name(), i)
                        .isCloseTo(gb[i], within(1e-5f + 1e-4f * Math.abs(gb[i])));
            }
            compared++;
        }
        assertThat(compared).isGreaterThanOrEqualTo(6);
    }
}
