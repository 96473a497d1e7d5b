package dev.spikebit.quant.binary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The binary weight {@code alpha * sign(W)} and its straight-through backward (docs/methods.md 2). */
class ScaledSignTest {
    /** Two channels; values on both sides of the clip |W| = 1, on it, and at +0 and -0. */
    private static final float[] W = {0.5f, -2f, 0f, 1f, -0.3f, 1.5f, -1f, -0f};

    private static final float[] ALPHA = {0.7f, 0.4f};
    private static final float[] G = {0.11f, -0.25f, 0.5f, 0.75f, -1.5f, 2f, 0.125f, -0.375f};

    @Test
    void forwardIsAlphaTimesSignWithSignOfZeroPositive() {
        Tensor wb = ScaledSign.apply(Tensor.of(W.clone(), 2, 4), Tensor.of(ALPHA.clone(), 2));
        assertThat(wb.data()).containsExactly(0.7f, -0.7f, 0.7f, 0.7f, -0.4f, 0.4f, -0.4f, 0.4f);
        assertThat(wb.shape()).containsExactly(2, 4);
    }

    @Test
    void straightThroughGradientIsTheUpstreamGradientInsideTheClipAndZeroOutside() {
        Tensor w = Tensor.of(W.clone(), 2, 4).requiresGrad(true);
        Tensor alpha = Tensor.of(ALPHA.clone(), 2).requiresGrad(true);
        ScaledSign.apply(w, alpha).backward(G.clone());
        // By hand: dL/dW = g where |W| <= 1 (0.5, 0, 1, -0.3, -1, -0), 0 at -2 and 1.5.
        assertThat(w.grad()).containsExactly(0.11f, 0f, 0.5f, 0.75f, -1.5f, 0f, 0.125f, -0.375f);
        // dL/dalpha[c] = sum_k g[c,k] sign(W[c,k]), signs (+,-,+,+) and (-,+,-,+).
        assertThat(alpha.grad()[0]).isEqualTo(0.11f + 0.25f + 0.5f + 0.75f, within(1e-6f));
        assertThat(alpha.grad()[1]).isEqualTo(1.5f + 2f - 0.125f - 0.375f, within(1e-6f));
    }

    @Test
    void fixedAmplitudeGivesTheSameStraightThroughGradientAndNothingElse() {
        Tensor w = Tensor.of(W.clone(), 2, 4).requiresGrad(true);
        Tensor wb = ScaledSign.apply(w, ALPHA.clone());
        assertThat(wb.data()).containsExactly(0.7f, -0.7f, 0.7f, 0.7f, -0.4f, 0.4f, -0.4f, 0.4f);
        wb.backward(G.clone());
        assertThat(w.grad()).containsExactly(0.11f, 0f, 0.5f, 0.75f, -1.5f, 0f, 0.125f, -0.375f);
    }

    @Test
    void meanAbsIsPerOutputChannel() {
        assertThat(ScaledSign.meanAbs(W, 2)).containsExactly((0.5f + 2f + 0f + 1f) / 4, (0.3f + 1.5f + 1f + 0f) / 4);
    }

    /**
     * Wb is linear in alpha, so the amplitude's gradient through a whole convolution and loss must
     * match central differences closely.
     */
    @Test
    void amplitudeGradientMatchesFiniteDifferencesThroughAConvolution() {
        var rng = new SplittableRandom(3);
        Tensor x = random(rng, 2, 3, 5, 5);
        Tensor w = random(rng, 4, 3, 3, 3).requiresGrad(true);
        Tensor alpha = Tensor.of(ScaledSign.meanAbs(w.data(), 4), 4).requiresGrad(true);
        Tensor r = random(rng, 2, 4, 5, 5);
        Tensor loss = objective(x, w, alpha, r);
        loss.backward();
        float[] analytic = alpha.grad().clone();
        float eps = 1e-2f;
        for (int c = 0; c < 4; c++) {
            float saved = alpha.data()[c];
            alpha.data()[c] = saved + eps;
            double plus = objective(x, w, alpha, r).item();
            alpha.data()[c] = saved - eps;
            double minus = objective(x, w, alpha, r).item();
            alpha.data()[c] = saved;
            double numeric = (plus - minus) / (2 * eps);
            assertThat((double) analytic[c])
                    .as("dL/dalpha[%d]", c)
                    .isCloseTo(numeric, within(1e-3 * Math.max(1, Math.abs(numeric))));
        }
    }

    /**
     * The true derivative of the forward with respect to W is zero away from W = 0 (sign is
     * piecewise constant), which is why training needs the straight-through estimate: finite
     * differences of the latent weights change nothing, while the estimate is non-zero.
     */
    @Test
    void trueDerivativeInLatentWeightsIsZeroAwayFromZeroUnlikeTheEstimate() {
        var rng = new SplittableRandom(4);
        Tensor x = random(rng, 1, 2, 4, 4);
        Tensor w = random(rng, 3, 2, 3, 3).requiresGrad(true);
        Tensor alpha = Tensor.of(ScaledSign.meanAbs(w.data(), 3), 3);
        Tensor r = random(rng, 1, 3, 4, 4);
        objective(x, w, alpha, r).backward();
        int checked = 0;
        for (int i = 0; i < w.size(); i++) {
            float saved = w.data()[i];
            if (Math.abs(saved) < 0.05f || Math.abs(saved) > 0.95f) {
                continue; // away from the sign change and the clip
            }
            w.data()[i] = saved + 1e-3f;
            float plus = objective(x, w, alpha, r).item();
            w.data()[i] = saved - 1e-3f;
            float minus = objective(x, w, alpha, r).item();
            w.data()[i] = saved;
            assertThat(plus).isEqualTo(minus);
            checked++;
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(w.grad()).as("the straight-through estimate").isNotEqualTo(new float[w.size()]);
    }

    /** {@code sum(r * conv(x, alpha * sign(w)))}. */
    private static Tensor objective(Tensor x, Tensor w, Tensor alpha, Tensor r) {
        Tensor y = Conv2dOp.conv2d(x, ScaledSign.apply(w, alpha), null, 1, 1);
        return Elementwise.sum(Elementwise.mul(y, r));
    }

    static Tensor random(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return t;
    }
}
