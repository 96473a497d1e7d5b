package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Max pooling's 2x2 fast path against the definition, on spike-like input full of ties: the same
 * maxima, and the gradient routed to the same input (the first of equal values in row order).
 */
class PoolingTest {
    @Test
    void twoByTwoMaxPoolingPicksTheFirstWinnerLikeTheDefinition() {
        var rng = new SplittableRandom(11);
        for (int w = 2; w <= 41; w++) {
            int h = w + w % 3; // some odd heights: the last row is dropped
            int n = 2;
            int c = 3;
            float[] x = new float[n * c * h * w];
            for (int i = 0; i < x.length; i++) {
                int r = rng.nextInt(4);
                x[i] = r == 0 ? 0f : r == 1 ? 1.5f : r == 2 ? -0.5f : (float) rng.nextDouble(); // many equal values
            }
            Tensor in = Tensor.of(x.clone(), n, c, h, w).requiresGrad(true);
            Tensor out = Pooling.maxPool2d(in, 2, 2);
            int oh = h / 2;
            int ow = w / 2;
            float[] g = new float[out.size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = i + 1; // a different gradient per output, so a misrouted one shows
            }
            float[] expectedOut = new float[g.length];
            float[] expectedGrad = new float[x.length];
            for (int plane = 0; plane < n * c; plane++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int best = -1;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < 2; ky++) {
                            for (int kx = 0; kx < 2; kx++) {
                                int at = (plane * h + 2 * oy + ky) * w + 2 * ox + kx;
                                if (best < 0 || x[at] > max) {
                                    max = x[at];
                                    best = at;
                                }
                            }
                        }
                        int o = (plane * oh + oy) * ow + ox;
                        expectedOut[o] = max;
                        expectedGrad[best] += g[o];
                    }
                }
            }
            assertThat(out.data()).as("width %d", w).containsExactly(expectedOut);
            out.backward(g);
            assertThat(in.grad()).as("gradient, width %d", w).containsExactly(expectedGrad);
        }
    }
}
