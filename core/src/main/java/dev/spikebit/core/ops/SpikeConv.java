package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Event-driven convolution for inputs that are mostly zero (spikes): the forward product and the
 * weight gradient visit only the non-zero inputs, each one adding its value times a weight column
 * (all output channels at once, one vector operation per {@link #LANES} channels) to the outputs
 * its window reaches. The input gradient {@code W^T * dY} does not depend on the input and stays
 * with the dense path ({@link Conv2dOp}).
 *
 * <p>The work is proportional to the number of non-zero inputs instead of to the input size: at a
 * firing rate of 10-25% a quarter to a tenth of the dense multiply-adds. An exact zero contributes
 * nothing to a sum, so the results equal the dense ones up to the order of the additions.
 *
 * <p>Order of the sums, fixed by the problem alone: an output element of the forward pass adds its
 * contributions in the order of the inputs (channel, row, column); a weight-gradient element adds
 * its contributions image by image, each in (row, column) order. Every output element has one
 * writer: the forward pass splits the images over the pool, the weight gradient the input channels.
 * So the numbers do not depend on the thread count.
 *
 * <p>Layouts: the weights are repacked as {@code [C][kh*kw][oPad]} (output channels last, padded with
 * zeros to whole vectors), the forward accumulator of one image and the transposed output
 * gradient as {@code [outPixels][oPad]}.
 */
final class SpikeConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /**
     * Below this fraction of non-zero inputs the event-driven kernels are used. Measured on an AVX2
     * core against im2col + GEMM for a 32 -> 64 channel 3x3 layer on 14x14 (docs/performance.md):
     * the event-driven forward and weight gradient break even at about two fifths.
     */
    static final double MAX_DENSITY = 0.3;

    private SpikeConv() {}

    /** The number of output channels rounded up to whole vectors. */
    static int paddedChannels(int outChannels) {
        return (outChannels + LANES - 1) / LANES * LANES;
    }

    /** How many of {@code x}'s elements are not zero. */
    static long nonZeros(float[] x) {
        long[] counts = new long[Parallel.threads()];
        int chunk = Math.max(1, (x.length + counts.length - 1) / counts.length);
        Parallel.range(counts.length, 1, (from, to) -> {
            for (int part = from; part < to; part++) {
                int end = Math.min(x.length, (part + 1) * chunk);
                long n = 0;
                for (int i = part * chunk; i < end; i++) {
                    if (x[i] != 0f) {
                        n++;
                    }
                }
                counts[part] = n;
            }
        });
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    /** The weights {@code [O, C, kh, kw]} as {@code [C][kh*kw][oPad]}, zeros in the padding lanes. */
    static float[] packWeights(float[] w, int outChannels, ConvGeometry g, float[] packed) {
        int taps = g.kernelH() * g.kernelW();
        int oPad = paddedChannels(outChannels);
        int channels = g.channels();
        java.util.Arrays.fill(packed, 0, channels * taps * oPad, 0f);
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < channels; c++) {
                int from = (o * channels + c) * taps;
                for (int t = 0; t < taps; t++) {
                    packed[(c * taps + t) * oPad + o] = w[from + t];
                }
            }
        }
        return packed;
    }

    /**
     * {@code y [N, O, OH, OW] = conv(x [N, C, H, W], w)} without bias, visiting only non-zero inputs.
     * {@code packedW} comes from {@link #packWeights}.
     */
    static void forward(ConvGeometry g, float[] x, int batch, float[] packedW, int outChannels, float[] y) {
        int oPad = paddedChannels(outChannels);
        int outPixels = g.outPixels();
        int inSize = g.channels() * g.inPixels();
        int outSize = outChannels * outPixels;
        Parallel.range(batch, 1, (from, to) -> {
            float[] acc = Workspace.get(Workspace.Slot.EVENT_SUMS, outPixels * oPad);
            for (int j = from; j < to; j++) {
                java.util.Arrays.fill(acc, 0, outPixels * oPad, 0f);
                scatterImage(g, x, j * inSize, packedW, oPad, acc);
                // acc is [outPixels][oPad]; the output wants [O][outPixels].
                int base = j * outSize;
                for (int q = 0; q < outPixels; q++) {
                    int row = q * oPad;
                    for (int o = 0; o < outChannels; o++) {
                        y[base + o * outPixels + q] = acc[row + o];
                    }
                }
            }
        });
    }

    /** Adds every non-zero input of one image times its weight columns into {@code acc [outPixels][oPad]}. */
    private static void scatterImage(ConvGeometry g, float[] x, int inOff, float[] packedW, int oPad, float[] acc) {
        int h = g.height();
        int w = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int taps = kh * kw;
        int oh = g.outHeight();
        int ow = g.outWidth();
        int s = g.stride();
        int p = g.padding();
        for (int c = 0; c < g.channels(); c++) {
            int plane = inOff + c * h * w;
            int wc = c * taps * oPad;
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    float v = x[plane + iy * w + ix];
                    if (v == 0f) {
                        continue;
                    }
                    var value = FloatVector.broadcast(SPECIES, v);
                    for (int ki = 0; ki < kh; ki++) {
                        int oy = outIndex(iy + p - ki, s, oh);
                        if (oy < 0) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int ox = outIndex(ix + p - kj, s, ow);
                            if (ox < 0) {
                                continue;
                            }
                            int wOff = wc + (ki * kw + kj) * oPad;
                            int aOff = (oy * ow + ox) * oPad;
                            for (int o = 0; o < oPad; o += LANES) {
                                FloatVector.fromArray(SPECIES, packedW, wOff + o)
                                        .fma(value, FloatVector.fromArray(SPECIES, acc, aOff + o))
                                        .intoArray(acc, aOff + o);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The output index {@code shifted / stride}, or -1 when there is none (not a multiple, or out of range). */
    private static int outIndex(int shifted, int stride, int outSize) {
        if (shifted < 0 || shifted % stride != 0) {
            return -1;
        }
        int o = shifted / stride;
        return o < outSize ? o : -1;
    }

    /**
     * The output gradient {@code [N, O, outPixels]} as {@code [N][outPixels][oPad]} (zeros in the
     * padding lanes), the layout {@link #weightGradient} reads.
     */
    static void transposeGradient(float[] gy, int batch, int outChannels, int outPixels, float[] gyT) {
        int oPad = paddedChannels(outChannels);
        Parallel.range(batch, 1, (from, to) -> {
            for (int j = from; j < to; j++) {
                int src = j * outChannels * outPixels;
                int dst = j * outPixels * oPad;
                for (int q = 0; q < outPixels; q++) {
                    int row = dst + q * oPad;
                    for (int o = 0; o < outChannels; o++) {
                        gyT[row + o] = gy[src + o * outPixels + q];
                    }
                    for (int o = outChannels; o < oPad; o++) {
                        gyT[row + o] = 0f;
                    }
                }
            }
        });
    }

    /**
     * {@code gw [O, C, kh, kw] += dY * x^T}, visiting only non-zero inputs; {@code gyT} comes from
     * {@link #transposeGradient}. The input channels are split over the pool; each part sums its
     * channels' gradient over all images in a scratch array and adds it to {@code gw} at the end.
     */
    static void weightGradient(ConvGeometry g, float[] x, int batch, float[] gyT, int outChannels, float[] gw) {
        int oPad = paddedChannels(outChannels);
        int taps = g.kernelH() * g.kernelW();
        int channels = g.channels();
        Parallel.range(channels, 1, (from, to) -> {
            int count = to - from;
            float[] sums = Workspace.get(Workspace.Slot.EVENT_SUMS, count * taps * oPad);
            java.util.Arrays.fill(sums, 0, count * taps * oPad, 0f);
            for (int j = 0; j < batch; j++) {
                for (int c = from; c < to; c++) {
                    gatherChannel(g, x, j, c, gyT, oPad, sums, (c - from) * taps * oPad);
                }
            }
            for (int o = 0; o < outChannels; o++) {
                for (int c = from; c < to; c++) {
                    int dst = (o * channels + c) * taps;
                    int src = (c - from) * taps * oPad + o;
                    for (int t = 0; t < taps; t++) {
                        gw[dst + t] += sums[src + t * oPad];
                    }
                }
            }
        });
    }

    /** Adds, for every non-zero input of channel {@code c} of image {@code j}, its value times the output gradients its window reached. */
    private static void gatherChannel(
            ConvGeometry g, float[] x, int j, int c, float[] gyT, int oPad, float[] sums, int sumOff) {
        int h = g.height();
        int w = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int s = g.stride();
        int p = g.padding();
        int plane = (j * g.channels() + c) * h * w;
        int gBase = j * g.outPixels() * oPad;
        for (int iy = 0; iy < h; iy++) {
            for (int ix = 0; ix < w; ix++) {
                float v = x[plane + iy * w + ix];
                if (v == 0f) {
                    continue;
                }
                var value = FloatVector.broadcast(SPECIES, v);
                for (int ki = 0; ki < kh; ki++) {
                    int oy = outIndex(iy + p - ki, s, oh);
                    if (oy < 0) {
                        continue;
                    }
                    for (int kj = 0; kj < kw; kj++) {
                        int ox = outIndex(ix + p - kj, s, ow);
                        if (ox < 0) {
                            continue;
                        }
                        int sOff = sumOff + (ki * kw + kj) * oPad;
                        int gOff = gBase + (oy * ow + ox) * oPad;
                        for (int o = 0; o < oPad; o += LANES) {
                            FloatVector.fromArray(SPECIES, gyT, gOff + o)
                                    .fma(value, FloatVector.fromArray(SPECIES, sums, sOff + o))
                                    .intoArray(sums, sOff + o);
                        }
                    }
                }
            }
        }
    }
}
