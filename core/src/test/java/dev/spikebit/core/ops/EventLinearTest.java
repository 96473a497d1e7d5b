package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The linear layer's product over the non-zero inputs against a double-precision reference. */
class EventLinearTest {
    @ParameterizedTest
    @CsvSource({
        "256, 3136, 128, 0.01",
        "3, 7, 1, 0.2",
        "5, 40, 10, 0.05",
        "9, 33, 17, 0.0",
        "4, 100, 33, 0.09",
        "2, 64, 24, 1.0"
    })
    void equalsTheDenseProduct(int n, int in, int out, double density) {
        var rng = new SplittableRandom(n * 31L + in);
        float[] x = new float[n * in];
        for (int i = 0; i < x.length; i++) {
            // Binary and real-valued spikes; some rows all zero.
            x[i] = rng.nextDouble() < density ? (rng.nextBoolean() ? 1f : (float) (rng.nextDouble() * 3 - 1)) : 0f;
        }
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            bias[o] = (float) rng.nextGaussian();
        }
        float[] events = EventLinear.forward(x, n, in, w, out);
        // To the bit: each output from +0, its row's non-zero inputs in ascending column order, one
        // multiply-add each.
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                float sum = 0f;
                for (int k = 0; k < in; k++) {
                    float v = x[r * in + k];
                    sum = v != 0f ? Math.fma(w[o * in + k], v, sum) : sum;
                }
                assertThat(Float.floatToIntBits(events[r * out + o]))
                        .as("in order, row %d, output %d: %s vs %s", r, o, events[r * out + o], sum)
                        .isEqualTo(Float.floatToIntBits(sum));
            }
        }
        float[] layer = LinearOp.linear(Tensor.of(x, n, in), Tensor.of(w, out, in), Tensor.of(bias, out))
                .data();
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double want = 0;
                double magnitude = 0;
                for (int k = 0; k < in; k++) {
                    want += (double) x[r * in + k] * w[o * in + k];
                    magnitude += Math.abs((double) x[r * in + k] * w[o * in + k]);
                }
                double tolerance = 1e-6 * magnitude + 1e-7;
                assertThat((double) events[r * out + o])
                        .as("row %d, output %d", r, o)
                        .isCloseTo(want, within(tolerance));
                assertThat((double) layer[r * out + o])
                        .as("the layer with bias, row %d, output %d", r, o)
                        .isCloseTo(want + bias[o], within(tolerance + 1e-6 * Math.abs(want + bias[o])));
            }
        }
    }
}
