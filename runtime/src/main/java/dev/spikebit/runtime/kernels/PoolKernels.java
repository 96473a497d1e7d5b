package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling over square windows without padding, one image {@code [C, h, w]}; both
 * commute with the positive spike scales of the standard form (docs/methods.md 2). The average is the
 * window's sum in row order times {@code 1 / (k * k)}, as the training network computes it.
 */
public final class PoolKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Outputs of a 2x2 window per vector of inputs. */
    private static final int HALF = F.length() / 2;

    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(F, i -> 2 * i % F.length());
    private static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(F, i -> (2 * i + 1) % F.length());

    private PoolKernels() {}

    /**
     * Max pooling of the image {@code [channels, h, w]} at {@code xOff} into {@code out} at
     * {@code outOff}. Both arrays need {@link Buffers#SLACK} floats after the image's data.
     */
    public static void max(int channels, int h, int w, int k, int s, float[] x, int xOff, float[] out, int outOff) {
        int oh = (h - k) / s + 1;
        int ow = (w - k) / s + 1;
        if (k == 2 && s == 2) {
            max2x2(channels, h, w, oh, ow, x, xOff, out, outOff);
            return;
        }
        for (int c = 0; c < channels; c++) {
            int in = xOff + c * h * w;
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k; ky++) {
                        int row = in + (oy * s + ky) * w + ox * s;
                        for (int kx = 0; kx < k; kx++) {
                            float v = x[row + kx];
                            m = v > m ? v : m;
                        }
                    }
                    out[dst + oy * ow + ox] = m;
                }
            }
        }
    }

    /**
     * The common 2x2, stride 2 window, {@value #HALF} outputs at a time: the maximum of the two
     * input rows lane by lane, then of each pair of neighbouring lanes, gathered by two fixed
     * shuffles (even lanes, odd lanes) into the first half of a vector. Loads and stores are of
     * whole vectors, without masks: what a row's last group reads past the row is dropped, what it
     * writes past the row is overwritten by the next row, or lands in the {@link Buffers#SLACK}
     * after the output. Masks cost a tenth of the layer; a scalar loop over the four values per
     * output took an eighth of a fmnist-cnn inference.
     */
    private static void max2x2(
            int channels, int h, int w, int oh, int ow, float[] x, int xOff, float[] out, int outOff) {
        for (int c = 0; c < channels; c++) {
            int in = xOff + c * h * w;
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int top = in + 2 * oy * w;
                int bottom = top + w;
                rowPair(ow, x, top, bottom, out, dst + oy * ow);
            }
        }
    }

    /**
     * One output row of the 2x2, stride 2 window: {@code ow} maxima of the rows at {@code top} and
     * {@code bottom} of {@code x} into {@code out} at {@code o}, as {@link #max2x2} (whole vectors:
     * {@code x} needs {@link Buffers#SLACK} floats after the bottom row's {@code 2 * ow}, {@code out}
     * after the row's {@code ow}).
     */
    static void rowPair(int ow, float[] x, int top, int bottom, float[] out, int o) {
        for (int ox = 0; ox < ow; ox += HALF) {
            var rows = FloatVector.fromArray(F, x, top + 2 * ox).max(FloatVector.fromArray(F, x, bottom + 2 * ox));
            rows.rearrange(EVEN_LANES).max(rows.rearrange(ODD_LANES)).intoArray(out, o + ox);
        }
    }

    public static void average(int channels, int h, int w, int k, int s, float[] x, int xOff, float[] out, int outOff) {
        int oh = (h - k) / s + 1;
        int ow = (w - k) / s + 1;
        float inv = 1f / (k * k);
        for (int c = 0; c < channels; c++) {
            int in = xOff + c * h * w;
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float sum = 0f;
                    for (int ky = 0; ky < k; ky++) {
                        int row = in + (oy * s + ky) * w + ox * s;
                        for (int kx = 0; kx < k; kx++) {
                            sum += x[row + kx];
                        }
                    }
                    out[dst + oy * ow + ox] = sum * inv;
                }
            }
        }
    }
}
