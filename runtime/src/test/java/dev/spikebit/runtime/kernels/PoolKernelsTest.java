package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Max pooling against the definition, for the 2x2 fast path (every row length around the vector width) and others. */
class PoolKernelsTest {
    private static float[] maxReference(int channels, int h, int w, int k, int s, float[] x) {
        int oh = (h - k) / s + 1;
        int ow = (w - k) / s + 1;
        float[] out = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            m = Math.max(m, x[(c * h + oy * s + ky) * w + ox * s + kx]);
                        }
                    }
                    out[(c * oh + oy) * ow + ox] = m;
                }
            }
        }
        return out;
    }

    @Test
    void maxPoolingMatchesTheDefinition() {
        var rng = new SplittableRandom(5);
        int[][] cases = {{2, 2}, {3, 3}, {3, 2}, {2, 1}};
        for (int[] ks : cases) {
            for (int size = 2; size <= 70; size += (size < 40 ? 1 : 7)) {
                if (size < ks[0]) {
                    continue;
                }
                int channels = 3;
                int h = size + 1; // odd heights drop a row, as the training pooling does
                float[] x = new float[2 + channels * h * size + Buffers.SLACK];
                for (int i = 0; i < x.length; i++) {
                    // spikes: zero at random, else a real value of either sign
                    x[i] = rng.nextInt(3) == 0 ? 0f : (float) (rng.nextDouble() * 4 - 2);
                }
                float[] input = java.util.Arrays.copyOfRange(x, 2, x.length);
                float[] expected = maxReference(channels, h, size, ks[0], ks[1], input);
                float[] out = new float[expected.length + 1 + Buffers.SLACK];
                java.util.Arrays.fill(out, 99f);
                PoolKernels.max(channels, h, size, ks[0], ks[1], x, 2, out, 1);
                assertThat(java.util.Arrays.copyOfRange(out, 1, 1 + expected.length))
                        .as("k %d s %d, %dx%d", ks[0], ks[1], h, size)
                        .containsExactly(expected);
                assertThat(out[0]).isEqualTo(99f);
            }
        }
    }
}
