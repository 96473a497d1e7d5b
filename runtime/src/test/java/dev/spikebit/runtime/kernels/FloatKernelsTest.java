package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.runtime.graph.Layer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The full-precision convolution against its definition in double precision: one and several
 * input channels, kernels 1, 3 and 5, strides 1 and 2, paddings 0-2, planes whose padded rows do
 * not fill a whole block of outputs (and the stem's 28 x 28), with and without bias; garbage in the
 * output and the scratch must not reach the result, and nothing past the output is written.
 */
class FloatKernelsTest {
    @Test
    void convolutionMatchesTheDefinition() {
        var rng = new SplittableRandom(5);
        int[][] shapes = {
            // in, out, h, w, kernel, stride, padding
            {1, 32, 28, 28, 3, 1, 1},
            {1, 3, 5, 7, 3, 1, 1},
            {2, 5, 9, 6, 3, 1, 0},
            {3, 4, 11, 13, 5, 1, 2},
            {1, 2, 1, 1, 1, 1, 0},
            {2, 3, 17, 3, 3, 1, 1},
            {3, 2, 9, 10, 3, 2, 1},
            {1, 7, 40, 33, 3, 1, 1}
        };
        for (int[] s : shapes) {
            for (boolean withBias : new boolean[] {false, true}) {
                int inC = s[0];
                int outC = s[1];
                int h = s[2];
                int w = s[3];
                int k = s[4];
                int stride = s[5];
                int p = s[6];
                float[] weight = new float[outC * inC * k * k];
                for (int i = 0; i < weight.length; i++) {
                    weight[i] = (float) (rng.nextDouble() * 2 - 1);
                }
                float[] bias = null;
                if (withBias) {
                    bias = new float[outC];
                    for (int o = 0; o < outC; o++) {
                        bias[o] = (float) (rng.nextDouble() - 0.5);
                    }
                }
                var conv = new Layer.Conv("stem", inC, outC, k, stride, p, weight, bias);
                float[] x = new float[inC * h * w + Buffers.SLACK];
                for (int i = 0; i < inC * h * w; i++) {
                    x[i] = (float) rng.nextDouble();
                }
                int oh = (h + 2 * p - k) / stride + 1;
                int ow = (w + 2 * p - k) / stride + 1;
                float[] out = new float[outC * oh * ow + 1];
                Arrays.fill(out, 9f);
                float[] scratch = new float[FloatKernels.convScratch(conv, h, w)];
                Arrays.fill(scratch, 3f);
                FloatKernels.conv(conv, x, 0, h, w, out, 0, scratch);
                String what = Arrays.toString(s) + (withBias ? " with bias" : "");
                assertThat(out[outC * oh * ow]).as(what).isEqualTo(9f);
                for (int o = 0; o < outC; o++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double expected = withBias ? bias[o] : 0;
                            for (int c = 0; c < inC; c++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = oy * stride + ky - p;
                                        int ix = ox * stride + kx - p;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            expected += (double) weight[((o * inC + c) * k + ky) * k + kx]
                                                    * x[(c * h + iy) * w + ix];
                                        }
                                    }
                                }
                            }
                            assertThat((double) out[(o * oh + oy) * ow + ox])
                                    .as("%s output %d %d %d", what, o, oy, ox)
                                    .isCloseTo(expected, within(1e-5));
                        }
                    }
                }
            }
        }
    }

    /**
     * The stride-1 convolution bit for bit against the order it promises: per output, one fused
     * multiply-add per (input channel, kernel row, kernel column) in that order from 0, the taps in
     * the zero padding included, then the bias added; so a change of its loops cannot change a
     * deployed model's logits.
     */
    @Test
    void strideOneConvolutionIsTheFusedMultiplyAddChainBitForBit() {
        var rng = new SplittableRandom(9);
        int[][] shapes = {{1, 32, 28, 28, 3, 1}, {2, 5, 9, 6, 3, 0}, {3, 4, 11, 13, 5, 2}, {1, 7, 40, 33, 3, 1}};
        for (int[] s : shapes) {
            int inC = s[0];
            int outC = s[1];
            int h = s[2];
            int w = s[3];
            int k = s[4];
            int p = s[5];
            float[] weight = new float[outC * inC * k * k];
            for (int i = 0; i < weight.length; i++) {
                weight[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            float[] bias = new float[outC];
            for (int o = 0; o < outC; o++) {
                bias[o] = (float) (rng.nextDouble() - 0.5);
            }
            var conv = new Layer.Conv("stem", inC, outC, k, 1, p, weight, bias);
            float[] x = new float[inC * h * w + Buffers.SLACK];
            for (int i = 0; i < inC * h * w; i++) {
                x[i] = rng.nextInt(4) == 0 ? 0f : (float) (rng.nextDouble() * 2 - 1);
            }
            int oh = h + 2 * p - k + 1;
            int ow = w + 2 * p - k + 1;
            float[] out = new float[outC * oh * ow];
            FloatKernels.conv(conv, x, 0, h, w, out, 0, new float[FloatKernels.convScratch(conv, h, w)]);
            for (int o = 0; o < outC; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float acc = 0f;
                        for (int c = 0; c < inC; c++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy + ky - p;
                                    int ix = ox + kx - p;
                                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                    float v = inside ? x[(c * h + iy) * w + ix] : 0f;
                                    acc = Math.fma(v, weight[((o * inC + c) * k + ky) * k + kx], acc);
                                }
                            }
                        }
                        assertThat(Float.floatToRawIntBits(out[(o * oh + oy) * ow + ox]))
                                .as("%s output %d %d %d", Arrays.toString(s), o, oy, ox)
                                .isEqualTo(Float.floatToRawIntBits(acc + bias[o]));
                    }
                }
            }
        }
    }
}
