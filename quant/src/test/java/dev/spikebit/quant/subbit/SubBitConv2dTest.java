package dev.spikebit.quant.subbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.QuantModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SubBitConv2dTest {
    @Test
    void forwardConvolvesWithAlphaTimesTheSelectedCodewordAndBackwardIsStraightThrough() {
        for (boolean osQuant : new boolean[] {false, true}) {
            var rng = new SplittableRandom(5);
            var layer = new SubBitConv2d(4, 3, 1, 1, false, rng, 2, osQuant, 0);
            float[] w = layer.weight().data();
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rng.nextGaussian() * (i % 13 == 0 ? 3 : 0.6f); // some beyond the clip at 1
            }
            layer.setCodebook(new Codebook(new int[] {0b000010000, 0b111101111, 0b101010101, 0b010101010}));
            float[] alpha = layer.alpha().data();
            for (int c = 0; c < 3; c++) {
                alpha[c] = 0.3f + 0.2f * c;
            }
            // Reference: a plain conv with weight alpha[c] * codeword, codewords chosen by hand.
            float[] hat = osQuant ? OsQuant.scale(w) : w;
            int[] ids = layer.codebook().patterns();
            float[] quantized = new float[w.length];
            float[] codeword = new float[w.length];
            for (int kernel = 0; kernel < 12; kernel++) {
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < 4; j++) {
                    double s = 0;
                    for (int k = 0; k < 9; k++) {
                        s += SignPattern.sign(ids[j], k) * hat[kernel * 9 + k];
                    }
                    if (s > bestScore) {
                        best = j;
                        bestScore = s;
                    }
                }
                for (int k = 0; k < 9; k++) {
                    codeword[kernel * 9 + k] = SignPattern.sign(ids[best], k);
                    quantized[kernel * 9 + k] = alpha[kernel / 4] * codeword[kernel * 9 + k];
                }
            }
            var reference = new Conv2d(4, 3, 3, 1, 1, false, new SplittableRandom(1));
            System.arraycopy(quantized, 0, reference.weight().data(), 0, quantized.length);

            float[] xData = new float[2 * 4 * 5 * 5];
            float[] rData = new float[2 * 3 * 5 * 5];
            for (int i = 0; i < xData.length; i++) {
                xData[i] = (float) rng.nextGaussian();
            }
            for (int i = 0; i < rData.length; i++) {
                rData[i] = (float) rng.nextGaussian();
            }
            Tensor y = layer.forward(Tensor.of(xData, 2, 4, 5, 5));
            Tensor yRef = reference.forward(Tensor.of(xData, 2, 4, 5, 5));
            assertThat(y.data()).containsExactly(yRef.data());

            backward(y, rData);
            backward(yRef, rData);
            float[] gRef = reference.weight().grad();
            for (int i = 0; i < w.length; i++) {
                float expected = Math.abs(w[i]) <= 1f ? gRef[i] : 0f;
                assertThat(layer.weight().grad()[i]).isCloseTo(expected, within(1e-6f));
            }
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int i = c * 36; i < c * 36 + 36; i++) {
                    s += gRef[i] * codeword[i];
                }
                assertThat(layer.alpha().grad()[c]).isCloseTo((float) s, within(1e-5f));
            }
        }
    }

    /** Backward of {@code sum(y * r)}. */
    private static void backward(Tensor y, float[] r) {
        Tensor loss = Tensor.result(
                new float[] {dot(y.data(), r)},
                new int[] {1},
                g -> {
                    for (int i = 0; i < r.length; i++) {
                        y.grad()[i] += g[0] * r[i];
                    }
                },
                y);
        loss.backward();
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void codebookRefreshFollowsTheLatentWeights() {
        var layer = new SubBitConv2d(8, 8, 1, 1, false, new SplittableRandom(2), 3, false, 2);
        var fixed = new Codebook(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        layer.setCodebook(fixed);
        Tensor x = Tensor.zeros(1, 8, 4, 4);
        layer.forward(x);
        assertThat(layer.codebook()).isEqualTo(fixed);
        layer.forward(x); // second training step: refreshed
        assertThat(layer.codebook())
                .isEqualTo(KernelStatistics.of(layer.weight().data()).codebook(3));
        layer.setCodebook(fixed);
        layer.eval();
        layer.forward(x);
        layer.forward(x);
        assertThat(layer.codebook()).isEqualTo(fixed);
    }

    @Test
    void subBitVggHasItsEligibleConvsSubBitAndRoundTripsItsSpec() {
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-vgg-s").withSubBit(5, true, 0);
        var model = QuantModels.build(spec, 1);
        List<String> subBit = new ArrayList<>();
        List<String> binary = new ArrayList<>();
        model.visit(m -> {
            if (m instanceof SubBitConv2d s) {
                subBit.add(s.describe());
                assertThat(s.eta()).isEqualTo(5);
                assertThat(s.osQuant()).isTrue();
            } else if (m instanceof BinaryConv2d b) {
                binary.add(b.describe());
            }
        });
        assertThat(subBit).hasSize(3);
        assertThat(binary).isEmpty(); // the first conv stays full precision
        assertThat(model.stateDict())
                .containsKeys(model.stateDict().keySet().stream()
                        .filter(k -> k.endsWith(".codebook"))
                        .toArray(String[]::new));
        assertThat(model.stateDict().keySet().stream().filter(k -> k.endsWith(".codebook")))
                .hasSize(3);

        assertThat(ModelSpec.fromJson(spec.toJson(), "test")).isEqualTo(spec);
        String older = ModelZoo.defaultSpec("fmnist-vgg-s")
                .withWeights(WeightKind.BINARY)
                .toJson()
                .replace(",\"eta\":0", "")
                .replace(",\"osQuant\":false", "")
                .replace(",\"codebookRefresh\":0", "");
        assertThat(older).doesNotContain("\"eta\"");
        assertThat(ModelSpec.fromJson(older, "test").weights()).isEqualTo(WeightKind.BINARY);
        assertThat(ModelSpec.fromJson(older, "test").eta()).isZero();
        assertThatThrownBy(() -> ModelZoo.defaultSpec("fmnist-vgg-s").withSubBit(9, false, 0))
                .hasMessageContaining("eta in 1..8");
        assertThatThrownBy(() -> ModelZoo.defaultSpec("fmnist-vgg-s").withSubBit(0, false, 0))
                .hasMessageContaining("eta in 1..8");
    }
}
