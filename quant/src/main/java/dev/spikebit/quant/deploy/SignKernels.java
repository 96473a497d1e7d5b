package dev.spikebit.quant.deploy;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.runtime.graph.PackedSigns;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of the sign layers of the reference executor: {@code b = sign(W) * x} with
 * additions and subtractions only (docs/methods.md 2). Each packed bit chooses whether a whole row of
 * inputs is added to or subtracted from a row of outputs, so the loops are long and contiguous
 * and the choice is made once per weight, not once per addition.
 *
 * <p>Every output element is the sum of its terms in the order of the weight's row (input
 * channel, kernel row, kernel column), starting from 0. The runtime module has the fast kernels.
 */
final class SignKernels {
    /**
     * Floats of one block's patch matrix (256 KB): it stays in the core's cache while every output
     * channel reads it.
     */
    private static final int BLOCK_FLOATS = 1 << 16;

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private SignKernels() {}

    /**
     * {@code b = sign(W) * x} for a convolution on {@code batch} samples of shape {@code in}. Per
     * block of images the input is unfolded into patches {@code [in * k * k, n * outPixels]}
     * (zero where the window leaves the image); output channel {@code o} is then the sum, over
     * the patch rows {@code j}, of row {@code j} added where bit {@code (o, j)} is set and
     * subtracted where it is clear.
     */
    static float[] conv(DeployedNode.SignConv c, float[] x, int[] in, int batch) {
        int outC = c.outChannels();
        int oh = (in[1] + 2 * c.padding() - c.kernel()) / c.stride() + 1;
        int ow = (in[2] + 2 * c.padding() - c.kernel()) / c.stride() + 1;
        int outPixels = oh * ow;
        int patch = c.inChannels() * c.kernel() * c.kernel();
        PackedSigns signs = c.signs();
        float[] out = new float[batch * outC * outPixels];
        int blockImages = Math.max(1, Math.min(batch, BLOCK_FLOATS / (patch * outPixels)));
        int blocks = (batch + blockImages - 1) / blockImages;
        Parallel.range(blocks, 1, (from, to) -> {
            for (int block = from; block < to; block++) {
                int first = block * blockImages;
                int n = Math.min(blockImages, batch - first);
                int ld = n * outPixels;
                float[] col = new float[patch * ld];
                for (int i = 0; i < n; i++) {
                    unfold(c, x, in, first + i, oh, ow, col, i * outPixels, ld);
                }
                float[] acc = new float[ld];
                for (int o = 0; o < outC; o++) {
                    java.util.Arrays.fill(acc, 0f);
                    accumulateRows(signs, o, col, patch, ld, acc);
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(acc, i * outPixels, out, ((first + i) * outC + o) * outPixels, outPixels);
                    }
                }
            }
        });
        return out;
    }

    /**
     * {@code b = sign(W) x} for a fully connected layer: a block of samples is transposed to
     * {@code [in, n]} so that each weight's bit adds or subtracts one contiguous row.
     */
    static float[] linear(DeployedNode.SignLinear l, float[] x, int batch) {
        int in = l.inFeatures();
        int outF = l.outFeatures();
        int blockSamples = Math.max(1, Math.min(batch, BLOCK_FLOATS / in));
        int blocks = (batch + blockSamples - 1) / blockSamples;
        float[] out = new float[batch * outF];
        Parallel.range(blocks, 1, (from, to) -> {
            for (int block = from; block < to; block++) {
                int first = block * blockSamples;
                int n = Math.min(blockSamples, batch - first);
                float[] xt = new float[in * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < in; j++) {
                        xt[j * n + i] = x[(first + i) * in + j];
                    }
                }
                float[] acc = new float[n];
                for (int o = 0; o < outF; o++) {
                    java.util.Arrays.fill(acc, 0f);
                    accumulateRows(l.signs(), o, xt, in, n, acc);
                    for (int i = 0; i < n; i++) {
                        out[(first + i) * outF + o] = acc[i];
                    }
                }
            }
        });
        return out;
    }

    /**
     * {@code acc += sum_j (bit(o, j) ? +rows[j] : -rows[j])} over rows of length {@code width}:
     * one vector add or subtract per lane group, the scalar loop for the tail.
     */
    private static void accumulateRows(PackedSigns signs, int o, float[] rows, int count, int width, float[] acc) {
        byte[] bits = signs.bits();
        int rowStart = o * signs.rowBytes();
        int upper = SPECIES.loopBound(width);
        for (int j = 0; j < count; j++) {
            int src = j * width;
            boolean plus = (bits[rowStart + (j >>> 3)] >>> (j & 7) & 1) != 0;
            int i = 0;
            if (plus) {
                for (; i < upper; i += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, acc, i)
                            .add(FloatVector.fromArray(SPECIES, rows, src + i))
                            .intoArray(acc, i);
                }
                for (; i < width; i++) {
                    acc[i] += rows[src + i];
                }
            } else {
                for (; i < upper; i += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, acc, i)
                            .sub(FloatVector.fromArray(SPECIES, rows, src + i))
                            .intoArray(acc, i);
                }
                for (; i < width; i++) {
                    acc[i] -= rows[src + i];
                }
            }
        }
    }

    /**
     * Writes image {@code image}'s patches into columns {@code [colOffset, colOffset + outPixels)}
     * of the patch matrix, row {@code j = (channel * k + ky) * k + kx}, zero outside the image.
     */
    private static void unfold(
            DeployedNode.SignConv c,
            float[] x,
            int[] in,
            int image,
            int oh,
            int ow,
            float[] col,
            int colOffset,
            int ld) {
        int channels = in[0];
        int h = in[1];
        int w = in[2];
        int k = c.kernel();
        int s = c.stride();
        int p = c.padding();
        int base = image * channels * h * w;
        for (int ch = 0; ch < channels; ch++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = ((ch * k + ky) * k + kx) * ld + colOffset;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s + ky - p;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * s + kx - p;
                            col[row + oy * ow + ox] =
                                    iy >= 0 && iy < h && ix >= 0 && ix < w ? x[base + (ch * h + iy) * w + ix] : 0f;
                        }
                    }
                }
            }
        }
    }
}
