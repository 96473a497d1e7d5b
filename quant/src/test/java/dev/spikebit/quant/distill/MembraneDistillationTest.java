package dev.spikebit.quant.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.QuantModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MembraneDistillationTest {
    @Test
    void gramLossMatchesItsDefinition() {
        var rng = new SplittableRandom(1);
        int steps = 2, batch = 3, features = 5;
        float[] s = gaussian(rng, steps * batch * features);
        float[] t = gaussian(rng, steps * batch * features);
        double expected = referenceGramLoss(widen(s), widen(t), steps, batch, features);
        Tensor loss = MembraneDistillation.gramLoss(Tensor.of(s, steps, batch, features), t);
        assertThat(loss.item()).isCloseTo((float) expected, within(1e-5f));
        assertThat(MembraneDistillation.gramLoss(Tensor.of(t, steps, batch, features), t)
                        .item())
                .isCloseTo(0f, within(1e-6f));
    }

    @Test
    void gramLossGradientMatchesFiniteDifferences() {
        var rng = new SplittableRandom(2);
        int steps = 2, batch = 4, features = 6;
        float[] s = gaussian(rng, steps * batch * features);
        float[] t = gaussian(rng, steps * batch * features);
        Tensor x = Tensor.of(s.clone(), steps, batch, features).requiresGrad(true);
        MembraneDistillation.gramLoss(x, t).backward();
        float[] grad = x.grad();
        // central differences of the definition, in double throughout
        double h = 1e-6;
        double[] sd = widen(s);
        double[] td = widen(t);
        for (int i = 0; i < s.length; i++) {
            double[] plus = sd.clone();
            double[] minus = sd.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (referenceGramLoss(plus, td, steps, batch, features)
                            - referenceGramLoss(minus, td, steps, batch, features))
                    / (2 * h);
            assertThat((double) grad[i]).as("element %d", i).isCloseTo(numeric, within(1e-3));
        }
    }

    @Test
    void exposedPotentialsCarryGradientThroughTheRecurrence() {
        var rng = new SplittableRandom(3);
        int steps = 4, neurons = 50;
        for (boolean detach : new boolean[] {true, false}) {
            var config = new NeuronConfig(
                    0.5f,
                    1f,
                    detach,
                    NeuronConfig.lif().surrogate(),
                    NeuronConfig.lif().output());
            float[] x = gaussian(rng, steps * neurons);
            float[] r = gaussian(rng, steps * neurons);
            var node = new LIFNode(config);
            node.exposePotentials(true);
            Tensor in = Tensor.of(x.clone(), steps, neurons).requiresGrad(true);
            node.forward(in);
            Tensor h = node.exposedPotentials();
            weightedSum(h, r).backward();
            // H is piecewise linear in x; with the reset gate detached its derivative is exact away
            // from thresholds. Without detaching, the surrogate term makes it a different (designed)
            // gradient: compare with the reference formula instead.
            double eps = 1e-6; // central differences in double
            double[] xd = widen(x);
            for (int i = 0; i < x.length; i++) {
                double[] plus = xd.clone();
                double[] minus = xd.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double numeric =
                        (sumH(config, plus, r, steps, neurons) - sumH(config, minus, r, steps, neurons)) / (2 * eps);
                if (detach && !nearThreshold(config, x, i, steps, neurons)) {
                    assertThat((double) in.grad()[i]).isCloseTo(numeric, within(1e-3));
                }
            }
            if (!detach) {
                float[] expected = referenceGradient(config, x, r, steps, neurons);
                for (int i = 0; i < x.length; i++) {
                    assertThat(in.grad()[i]).isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
    }

    @Test
    void vggStudentAndTeacherPairTheirConvStagesAndACopyHasNoLoss() {
        var teacher = QuantModels.build(ModelZoo.defaultSpec("fmnist-vgg-s"), 4);
        var student = QuantModels.build(ModelZoo.defaultSpec("fmnist-vgg-s"), 4);
        var distill = MembraneDistillation.between(student, teacher, MembraneDistillation.DEFAULT_LAMBDA);
        assertThat(distill.pairs()).hasSize(4);
        Tensor images = Tensor.of(gaussian(new SplittableRandom(5), 3 * 28 * 28), 3, 1, 28, 28);
        student.eval();
        distill.runTeacher(images);
        student.forward(images);
        assertThat(distill.loss().item()).isCloseTo(0f, within(1e-6f));

        var other = QuantModels.build(ModelZoo.defaultSpec("fmnist-vgg-s"), 9);
        var distill2 = MembraneDistillation.between(student, other, 1000f);
        distill2.runTeacher(images);
        student.forward(images);
        float loss = distill2.loss().item();
        assertThat(loss).isGreaterThan(0f);
        assertThat(distill2.weightedLoss().item()).isCloseTo(1000f * loss, within(1e-3f * loss * 1000));
        assertThat(other.isTraining()).isFalse();
    }

    private static boolean nearThreshold(NeuronConfig c, float[] x, int changed, int steps, int neurons) {
        int neuron = changed % neurons;
        float v = 0;
        for (int t = 0; t < steps; t++) {
            float h = c.tau() * v + x[t * neurons + neuron];
            if (Math.abs(h - c.vth()) < 5e-3) {
                return true;
            }
            v = h >= c.vth() ? 0 : h;
        }
        return false;
    }

    private static double sumH(NeuronConfig c, double[] x, float[] r, int steps, int neurons) {
        double s = 0;
        for (int i = 0; i < neurons; i++) {
            double v = 0;
            for (int t = 0; t < steps; t++) {
                double h = c.tau() * v + x[t * neurons + i];
                s += h * r[t * neurons + i];
                v = h >= c.vth() ? 0 : h;
            }
        }
        return s;
    }

    /** dL/dx for L = sum(H * r), written out as docs/methods.md 1's recurrence. */
    private static float[] referenceGradient(NeuronConfig c, float[] x, float[] r, int steps, int neurons) {
        float[] h = new float[x.length];
        for (int i = 0; i < neurons; i++) {
            float v = 0;
            for (int t = 0; t < steps; t++) {
                h[t * neurons + i] = c.tau() * v + x[t * neurons + i];
                v = h[t * neurons + i] >= c.vth() ? 0 : h[t * neurons + i];
            }
        }
        float[] g = new float[x.length];
        for (int i = 0; i < neurons; i++) {
            float next = 0;
            for (int t = steps - 1; t >= 0; t--) {
                float hv = h[t * neurons + i];
                float s = hv >= c.vth() ? 1 : 0;
                float dvdh =
                        c.detachReset() ? 1 - s : (1 - s) - hv * c.surrogate().derivative(hv - c.vth());
                next = r[t * neurons + i] + c.tau() * next * dvdh;
                g[t * neurons + i] = next;
            }
        }
        return g;
    }

    private static Tensor weightedSum(Tensor y, float[] r) {
        float s = 0;
        for (int i = 0; i < r.length; i++) {
            s += y.data()[i] * r[i];
        }
        return Tensor.result(
                new float[] {s},
                new int[] {1},
                g -> {
                    for (int i = 0; i < r.length; i++) {
                        y.grad()[i] += g[0] * r[i];
                    }
                },
                y);
    }

    /** Entry (i, j) of F F^T with row i divided by its L2 norm, F = step {@code step} of {@code f}, written out. */
    private static double normalizedGram(double[] f, int step, int i, int j, int batch, int features) {
        double rowNorm = 0;
        double entry = 0;
        for (int k = 0; k < batch; k++) {
            double dot = 0;
            for (int d = 0; d < features; d++) {
                dot += f[(step * batch + i) * features + d] * f[(step * batch + k) * features + d];
            }
            rowNorm += dot * dot;
            if (k == j) {
                entry = dot;
            }
        }
        return entry / Math.sqrt(rowNorm);
    }

    /** The Gram loss by its definition, in double: mean over steps of the mean squared difference of normalized Grams. */
    private static double referenceGramLoss(double[] s, double[] t, int steps, int batch, int features) {
        double loss = 0;
        for (int step = 0; step < steps; step++) {
            double sq = 0;
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < batch; j++) {
                    double d = normalizedGram(s, step, i, j, batch, features)
                            - normalizedGram(t, step, i, j, batch, features);
                    sq += d * d;
                }
            }
            loss += sq / (batch * batch);
        }
        return loss / steps;
    }

    private static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
