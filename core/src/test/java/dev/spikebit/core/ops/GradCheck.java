package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Finite-difference gradient checking: the analytic gradient of {@code sum(f(inputs) * R)} for a
 * fixed random R is compared with central differences at a sample of coordinates of each input.
 *
 * <p>The differences are taken in double precision: the objective is summed in double, and the
 * step is the distance between the two float inputs actually evaluated (not the nominal
 * {@code 2 eps}, which float rounding of {@code x +- eps} changes in the third digit), so the
 * comparison can be held to a tolerance of 1e-3 where the operation is smooth.
 */
public final class GradCheck {
    private GradCheck() {}

    public static Tensor random(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return t.requiresGrad(true);
    }

    /** Checks every input that requires gradients at up to {@code samples} coordinates. */
    public static void check(
            Function<Tensor[], Tensor> f, double eps, double tolerance, int samples, Tensor... inputs) {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor out = f.apply(inputs);
        float[] weights = new float[out.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        for (Tensor in : inputs) {
            in.zeroGrad();
        }
        out = f.apply(inputs);
        out.backward(weights);
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (!in.requiresGrad()) {
                continue;
            }
            float[] analytic = in.grad().clone();
            float[] x = in.data();
            int n = x.length;
            for (int s = 0; s < Math.min(samples, n); s++) {
                int i = n <= samples ? s : rng.nextInt(n);
                float saved = x[i];
                float up = (float) (saved + eps);
                float down = (float) (saved - eps);
                x[i] = up;
                double plus = objective(f.apply(inputs), weights);
                x[i] = down;
                double minus = objective(f.apply(inputs), weights);
                x[i] = saved;
                double numeric = (plus - minus) / ((double) up - (double) down);
                double scale = Math.max(1.0, Math.abs(numeric));
                assertThat(Math.abs(analytic[i] - numeric) / scale)
                        .as("input %d coordinate %d: analytic %s vs numeric %s", k, i, analytic[i], numeric)
                        .isLessThan(tolerance);
            }
        }
    }

    private static double objective(Tensor out, float[] weights) {
        double s = 0;
        float[] d = out.data();
        for (int i = 0; i < d.length; i++) {
            s += (double) d[i] * weights[i];
        }
        return s;
    }
}
