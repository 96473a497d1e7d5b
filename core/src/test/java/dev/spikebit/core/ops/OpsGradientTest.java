package dev.spikebit.core.ops;

import static dev.spikebit.core.ops.GradCheck.check;
import static dev.spikebit.core.ops.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every operation's backward against finite differences of its forward. */
class OpsGradientTest {
    private final SplittableRandom rng = new SplittableRandom(42);
    private static final double EPS = 1e-2;
    private static final double TOL = 1e-3;

    @Test
    void elementwise() {
        Tensor a = random(rng, 3, 5);
        Tensor b = random(rng, 3, 5);
        check(in -> Elementwise.add(in[0], in[1]), EPS, TOL, 50, a, b);
        check(in -> Elementwise.sub(in[0], in[1]), EPS, TOL, 50, a, b);
        check(in -> Elementwise.mul(in[0], in[1]), EPS, TOL, 50, a, b);
        check(in -> Elementwise.scale(in[0], -2.5f), EPS, TOL, 50, a);
        check(in -> Elementwise.addScalar(in[0], 0.7f), EPS, TOL, 50, a);
        check(in -> Elementwise.mean(in[0]), EPS, TOL, 50, a);
    }

    @Test
    void reluAwayFromTheKink() {
        Tensor a = random(rng, 4, 6);
        float[] d = a.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] >= 0 ? d[i] + 0.1f : d[i] - 0.1f;
        }
        check(in -> Elementwise.relu(in[0]), EPS / 2, TOL, 50, a);
    }

    @Test
    void reshapeKeepsGradientsInPlace() {
        Tensor a = random(rng, 2, 3, 4);
        check(in -> Elementwise.scale(in[0].reshape(6, -1), 3f), EPS, TOL, 50, a);
    }

    @Test
    void linearAndMatmul() {
        Tensor x = random(rng, 5, 7);
        Tensor w = random(rng, 3, 7);
        Tensor b = random(rng, 3);
        check(in -> LinearOp.linear(in[0], in[1], in[2]), EPS, TOL, 60, x, w, b);
        Tensor m = random(rng, 7, 4);
        check(in -> LinearOp.matmul(in[0], in[1]), EPS, TOL, 60, x, m);
    }

    @Test
    void convolutionWithPaddingAndStride() {
        Tensor x = random(rng, 2, 3, 6, 5);
        Tensor w = random(rng, 4, 3, 3, 3);
        Tensor b = random(rng, 4);
        check(in -> Conv2dOp.conv2d(in[0], in[1], in[2], 1, 1), EPS, TOL, 80, x, w, b);
        check(in -> Conv2dOp.conv2d(in[0], in[1], in[2], 2, 1), EPS, TOL, 80, x, w, b);
        check(in -> Conv2dOp.conv2d(in[0], in[1], null, 1, 0), EPS, TOL, 80, x, w);
    }

    @Test
    void pooling() {
        Tensor x = random(rng, 2, 3, 6, 6);
        check(in -> Pooling.avgPool2d(in[0], 2, 2), EPS, TOL, 80, x);
        check(in -> Pooling.avgPool2d(in[0], 3, 1), EPS, TOL, 80, x);
        // Distinct values far apart so the finite difference never changes the winner.
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((i * 37 % d.length) * 0.1);
        }
        check(in -> Pooling.maxPool2d(in[0], 2, 2), EPS, TOL, 80, x);
    }

    @Test
    void batchNormTrainingAndEval() {
        Tensor x = random(rng, 4, 3, 2, 2);
        Tensor gamma = random(rng, 3);
        Tensor beta = random(rng, 3);
        float[] rm = {0.1f, -0.2f, 0.3f};
        float[] rv = {1.5f, 0.7f, 1.1f};
        check(
                in -> BatchNormOp.batchNorm(in[0], in[1], in[2], rm.clone(), rv.clone(), true, 0.1f, 1e-5f),
                EPS / 4,
                TOL,
                48,
                x,
                gamma,
                beta);
        check(
                in -> BatchNormOp.batchNorm(in[0], in[1], in[2], rm, rv, false, 0.1f, 1e-5f),
                EPS,
                TOL,
                48,
                x,
                gamma,
                beta);
        Tensor x1 = random(rng, 6, 5);
        check(
                in -> BatchNormOp.batchNorm(in[0], in[1], in[2], new float[5], new float[5], true, 0.1f, 1e-5f),
                EPS / 4,
                TOL,
                30,
                x1,
                random(rng, 5),
                random(rng, 5));
    }

    /**
     * Batch norm writes a first gradient of its input instead of adding it into zeros; into a
     * gradient the input already has, it adds. Both give the bits of adding into zeros.
     */
    @Test
    void batchNormWritesAFirstGradientAndAddsIntoAnExistingOne() {
        for (boolean training : new boolean[] {true, false}) {
            Tensor x = random(rng, 4, 3, 5, 5);
            Tensor gamma = random(rng, 3);
            Tensor beta = random(rng, 3);
            float[] g = random(rng, 4, 3, 5, 5).data();
            float[] rm = {0.1f, -0.2f, 0.3f};
            float[] rv = {1.5f, 0.7f, 1.1f};
            BatchNormOp.batchNorm(x, gamma, beta, rm.clone(), rv.clone(), training, 0.1f, 1e-5f)
                    .backward(g);
            float[] first = x.grad().clone();
            x.zeroGrad();
            float[] earlier = random(rng, 4, 3, 5, 5).data();
            System.arraycopy(earlier, 0, x.grad(), 0, earlier.length);
            BatchNormOp.batchNorm(x, gamma, beta, rm.clone(), rv.clone(), training, 0.1f, 1e-5f)
                    .backward(g);
            for (int i = 0; i < first.length; i++) {
                assertEquals(
                        Float.floatToIntBits(earlier[i] + first[i]),
                        Float.floatToIntBits(x.grad()[i]),
                        "element " + i + (training ? " (training)" : " (evaluation)"));
                // The first gradient is what adding into +0 gives: never -0.
                assertNotEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(first[i]));
            }
        }
    }

    @Test
    void crossEntropyAndTet() {
        Tensor logits = random(rng, 4, 5);
        int[] labels = {0, 3, 4, 1};
        check(in -> Losses.crossEntropy(in[0], labels), EPS, TOL, 20, logits);
        Tensor steps = random(rng, 3, 4, 5);
        check(in -> Losses.tet(in[0], labels), EPS, TOL, 60, steps);
    }

    @Test
    void timeAxis() {
        Tensor x = random(rng, 4, 3, 2);
        check(in -> TimeOps.meanOverTime(in[0]), EPS, TOL, 24, x);
        Tensor y = random(rng, 3, 2);
        check(in -> TimeOps.repeatTime(in[0], 4), EPS, TOL, 6, y);
    }

    @Test
    void dropoutScalesKeptElements() {
        Tensor x = random(rng, 4, 10);
        check(in -> DropoutOp.dropout(in[0], 0.3f, new SplittableRandom(3), 4), EPS, TOL, 40, x);
    }
}
