package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Event-driven convolution for inputs that are mostly zero (spikes): the forward product and the
 * weight gradient visit only the non-zero inputs. The forward pass lists an image's non-zero
 * inputs by pixel and sums, for each output pixel, the weight columns of the inputs its window
 * covers (output channels as vectors held in registers); the weight gradient adds each non-zero
 * input's value times the output gradients its window reaches. The input gradient {@code W^T * dY} does not depend on the input and stays
 * with the dense path ({@link Conv2dOp}).
 *
 * <p>The work is proportional to the number of non-zero inputs instead of to the input size: at a
 * firing rate of 10-25% a quarter to a tenth of the dense multiply-adds. An exact zero contributes
 * nothing to a sum, so the results equal the dense ones up to the order of the additions.
 *
 * <p>Order of the sums, fixed by the problem alone: an output element of the forward pass adds its
 * contributions kernel tap by kernel tap, each tap's inputs in channel order; a weight-gradient element adds
 * its contributions image by image, each in (row, column) order (the bordered kernel: within groups
 * of images fixed by the shape, then the groups in order). Every output element, or group sum, has
 * one writer: the forward pass hands out images, the weight gradient groups of images (or input
 * channels). So the numbers do not depend on the thread count or on which thread took which item.
 *
 * <p>Layouts: the weights are repacked as {@code [C][kh*kw][oPad]} (output channels last, padded with
 * zeros to whole vectors), the forward accumulator of one image and the transposed output
 * gradient as {@code [outPixels][oPad]}.
 */
final class SpikeConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INT_SPECIES = SPECIES.withLanes(int.class);

    /**
     * Up to this fraction of non-zero inputs the event-driven forward pass is used. Measured on a
     * (loaded) AVX2 core against im2col + GEMM (OpenBLAS) for a 32 -> 64 channel 3x3 layer on 14x14,
     * batch 256: since its events go one run per kernel row it breaks even at about 0.55, with a
     * margin for other machines (docs/performance.md).
     */
    static final double MAX_FORWARD_DENSITY = 0.45;

    /**
     * Up to this fraction of non-zero inputs the event-driven weight gradient of a strided
     * convolution is used; the same measurement put its break-even at about a quarter.
     */
    static final double MAX_WEIGHT_GRADIENT_DENSITY = 0.2;

    /**
     * The same for a stride-1 convolution, whose weight gradient runs on the bordered gradient
     * (three taps per input, no bounds tests): on the 32 -> 64 layer above, batch 256, one thread,
     * CPU time, it took 0.85 of im2col + GEMM (OpenBLAS) at 31% non-zero and broke even at about
     * 0.37 (docs/performance.md).
     */
    static final double MAX_STRIDE1_WEIGHT_GRADIENT_DENSITY = 0.35;

    private SpikeConv() {}

    /** Whether the kernels take this geometry: padded positions are kept in 16 bits. */
    static boolean supports(ConvGeometry g) {
        return g.height() + g.padding() < 1 << 16 && g.width() + g.padding() < 1 << 16;
    }

    /** The largest fraction of non-zero inputs at which the event-driven weight gradient pays for {@code g}. */
    static double maxWeightGradientDensity(ConvGeometry g) {
        return g.stride() == 1 ? MAX_STRIDE1_WEIGHT_GRADIENT_DENSITY : MAX_WEIGHT_GRADIENT_DENSITY;
    }

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
                int i = Math.min(end, part * chunk);
                long n = 0;
                // A vector compared with zero at a time: the scalar test was a branch, mispredicted
                // on about every third value at the densities of spikes (8x slower).
                for (int upper = i + SPECIES.loopBound(end - i); i < upper; i += LANES) {
                    n += FloatVector.fromArray(SPECIES, x, i)
                            .compare(VectorOperators.NE, 0f)
                            .trueCount();
                }
                for (; i < end; i++) {
                    n += x[i] != 0f ? 1 : 0;
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
        // Images claimed one at a time: their cost follows their number of non-zero inputs.
        SelfScheduledLoop.forEach(batch, j -> {
            float[] acc = Workspace.get(Workspace.Slot.EVENT_SUMS, outPixels * oPad);
            float[] values = Workspace.get(Workspace.Slot.EVENTS, inSize);
            int[] weightRows = Workspace.ints(Workspace.Slot.EVENTS, inSize);
            int[] starts = Workspace.ints(Workspace.Slot.EVENT_STARTS, g.inPixels() + 1);
            int[] bits = Workspace.ints(Workspace.Slot.EVENT_BITS, channelWords(g.channels()) * g.inPixels());
            boolean ones = listEvents(g, x, j * inSize, oPad, bits, values, weightRows, starts);
            gatherImage(g, packedW, oPad, ones ? null : values, weightRows, starts, acc);
            // acc is [outPixels][oPad]; the output wants [O][outPixels].
            BlockTranspose.transpose(acc, 0, oPad, y, j * outSize, outPixels, outPixels, outChannels);
        });
    }

    /**
     * Lists the non-zero inputs of one image pixel by pixel, each pixel's in channel order: the value,
     * and {@code (c * taps + ix) * oPad} for channel {@code c} and input column {@code ix}: where the
     * channel's weights start in the packed weights, shifted by the column, so that the inputs of
     * one kernel row of a window, consecutive pixels of one input row, reach their taps with one
     * constant offset ({@link #gatherImage}). The events of pixel {@code i} are {@code starts[i] ..
     * starts[i + 1] - 1}. Returns whether every listed value is exactly 1 (binary spikes).
     *
     * <p>The non-zero inputs are first marked as bits ({@link #markNonZeroChannels}), then each
     * pixel's events are read off its bits: the work per pixel follows its events, where a scan of
     * every channel of every pixel (strided loads, a conditional count per input) cost more than the
     * sums at a tenth non-zero.
     */
    private static boolean listEvents(
            ConvGeometry g,
            float[] x,
            int inOff,
            int oPad,
            int[] bits,
            float[] values,
            int[] weightRows,
            int[] starts) {
        int pixels = g.inPixels();
        int width = g.width();
        int channels = g.channels();
        int words = channelWords(channels);
        int channelStride = g.kernelH() * g.kernelW() * oPad;
        markNonZeroChannels(x, inOff, pixels, channels, bits);
        int n = 0;
        boolean ones = true;
        for (int pix = 0; pix < pixels; pix++) {
            starts[pix] = n;
            int column = pix % width * oPad;
            for (int word = 0; word < words; word++) {
                for (int m = bits[word * pixels + pix]; m != 0; m &= m - 1) {
                    int c = (word << 5) + Integer.numberOfTrailingZeros(m);
                    float v = x[inOff + c * pixels + pix];
                    values[n] = v;
                    weightRows[n] = c * channelStride + column;
                    ones &= v == 1f;
                    n++;
                }
            }
        }
        starts[pixels] = n;
        return ones;
    }

    /** Ints of 32 channel bits per pixel. */
    static int channelWords(int channels) {
        return (channels + 31) >>> 5;
    }

    /**
     * {@code bits[word * pixels + pix]} gets bit {@code c - 32 * word} for every channel {@code c} whose
     * input at {@code pix} is not zero, a vector of pixels at a time. On the floats' bits: the
     * magnitude plus {@code 0x7fffffff} carries into the sign bit unless it is zero, so {@code -0}
     * counts as zero and NaN as not, as {@code v != 0f} does.
     */
    private static void markNonZeroChannels(float[] x, int inOff, int pixels, int channels, int[] bits) {
        int vectorEnd = INT_SPECIES.loopBound(pixels);
        for (int word = 0, c0 = 0; c0 < channels; word++, c0 += 32) {
            int c1 = Math.min(channels, c0 + 32);
            int row = word * pixels;
            int pix = 0;
            for (; pix < vectorEnd; pix += LANES) {
                var mask = IntVector.zero(INT_SPECIES);
                for (int c = c0, at = inOff + c0 * pixels + pix; c < c1; c++, at += pixels) {
                    var magnitude = FloatVector.fromArray(SPECIES, x, at)
                            .reinterpretAsInts()
                            .and(0x7fffffff);
                    mask = mask.or(magnitude
                            .add(0x7fffffff)
                            .lanewise(VectorOperators.LSHR, 31)
                            .lanewise(VectorOperators.LSHL, c - c0));
                }
                mask.intoArray(bits, row + pix);
            }
            for (; pix < pixels; pix++) {
                int mask = 0;
                for (int c = c0, at = inOff + c0 * pixels + pix; c < c1; c++, at += pixels) {
                    mask |= (x[at] != 0f ? 1 : 0) << (c - c0);
                }
                bits[row + pix] = mask;
            }
        }
    }

    /**
     * Every output pixel of one image from the events its window covers, into {@code acc
     * [outPixels][oPad]}, one kernel row at a time: the packed weights of one kernel row ({@code C *
     * kw * oPad} floats, 24 KB for 32 -> 64 channels 3x3) stay in the L1 cache while every window
     * passes, where the whole layer's (73 KB) were read from L2 for every event. The events of one
     * kernel row of a window are one run of the list (consecutive pixels of one input row), and each
     * event's listed offset already holds its column, so a run is one loop whose tap offset is one
     * constant; eight or four vectors of output channels stay in registers over the run, loaded
     * from {@code acc} before it and stored after. The sums still go tap by tap ({@code ki, kj}),
     * each tap's events in channel order, from zero: the same additions in the same order as
     * summing a whole window at once. {@code values} null: every event's value is 1.
     */
    private static void gatherImage(
            ConvGeometry g, float[] packedW, int oPad, float[] values, int[] weightRows, int[] starts, float[] acc) {
        int h = g.height();
        int w = g.width();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int s = g.stride();
        int p = g.padding();
        int widest = oPad / (8 * LANES) * (8 * LANES);
        int wide = widest + (oPad - widest) / (4 * LANES) * (4 * LANES);
        java.util.Arrays.fill(acc, 0, oh * ow * oPad, 0f);
        for (int ki = 0; ki < kh; ki++) {
            for (int oy = 0; oy < oh; oy++) {
                int iy = oy * s - p + ki;
                if (iy < 0 || iy >= h) {
                    continue;
                }
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * s - p;
                    int lo = Math.max(0, x0);
                    int hi = Math.min(w, x0 + kw);
                    // A window wholly in the left or right padding covers no input (and lo may be past the row).
                    if (hi <= lo) {
                        continue;
                    }
                    int first = starts[iy * w + lo];
                    int end = starts[iy * w + hi];
                    if (first == end) {
                        continue;
                    }
                    int out = (oy * ow + ox) * oPad;
                    // Pixel (iy, ix)'s events reach tap (ki, ix - x0) at their listed offset plus this.
                    int shift = (ki * kw - x0) * oPad;
                    if (values == null) {
                        for (int b = 0; b < widest; b += 8 * LANES) {
                            addOnesEight(packedW, weightRows, first, end, shift + b, acc, out + b);
                        }
                        for (int b = widest; b < wide; b += 4 * LANES) {
                            addOnesFour(packedW, weightRows, first, end, shift + b, acc, out + b);
                        }
                        for (int b = wide; b < oPad; b += LANES) {
                            var a0 = FloatVector.fromArray(SPECIES, acc, out + b);
                            for (int e = first; e < end; e++) {
                                a0 = a0.add(FloatVector.fromArray(SPECIES, packedW, weightRows[e] + shift + b));
                            }
                            a0.intoArray(acc, out + b);
                        }
                        continue;
                    }
                    for (int b = 0; b < widest; b += 8 * LANES) {
                        addRunEight(packedW, values, weightRows, first, end, shift + b, acc, out + b);
                    }
                    for (int b = widest; b < wide; b += 4 * LANES) {
                        addRunFour(packedW, values, weightRows, first, end, shift + b, acc, out + b);
                    }
                    for (int b = wide; b < oPad; b += LANES) {
                        var a0 = FloatVector.fromArray(SPECIES, acc, out + b);
                        for (int e = first; e < end; e++) {
                            a0 = FloatVector.fromArray(SPECIES, packedW, weightRows[e] + shift + b)
                                    .fma(FloatVector.broadcast(SPECIES, values[e]), a0);
                        }
                        a0.intoArray(acc, out + b);
                    }
                }
            }
        }
    }

    /**
     * {@code acc[out ..]} plus events {@code first .. end - 1} times their weights (at their listed
     * offset plus {@code shift}), eight vectors of output channels: with 256-bit vectors the 64
     * channels of a typical layer in one pass over the run. Eight sums, a broadcast and a weight
     * vector fit AVX2's sixteen registers.
     */
    private static void addRunEight(
            float[] packedW, float[] values, int[] weightRows, int first, int end, int shift, float[] acc, int out) {
        var a0 = FloatVector.fromArray(SPECIES, acc, out);
        var a1 = FloatVector.fromArray(SPECIES, acc, out + LANES);
        var a2 = FloatVector.fromArray(SPECIES, acc, out + 2 * LANES);
        var a3 = FloatVector.fromArray(SPECIES, acc, out + 3 * LANES);
        var a4 = FloatVector.fromArray(SPECIES, acc, out + 4 * LANES);
        var a5 = FloatVector.fromArray(SPECIES, acc, out + 5 * LANES);
        var a6 = FloatVector.fromArray(SPECIES, acc, out + 6 * LANES);
        var a7 = FloatVector.fromArray(SPECIES, acc, out + 7 * LANES);
        for (int e = first; e < end; e++) {
            var v = FloatVector.broadcast(SPECIES, values[e]);
            int at = weightRows[e] + shift;
            a0 = FloatVector.fromArray(SPECIES, packedW, at).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, packedW, at + LANES).fma(v, a1);
            a2 = FloatVector.fromArray(SPECIES, packedW, at + 2 * LANES).fma(v, a2);
            a3 = FloatVector.fromArray(SPECIES, packedW, at + 3 * LANES).fma(v, a3);
            a4 = FloatVector.fromArray(SPECIES, packedW, at + 4 * LANES).fma(v, a4);
            a5 = FloatVector.fromArray(SPECIES, packedW, at + 5 * LANES).fma(v, a5);
            a6 = FloatVector.fromArray(SPECIES, packedW, at + 6 * LANES).fma(v, a6);
            a7 = FloatVector.fromArray(SPECIES, packedW, at + 7 * LANES).fma(v, a7);
        }
        a0.intoArray(acc, out);
        a1.intoArray(acc, out + LANES);
        a2.intoArray(acc, out + 2 * LANES);
        a3.intoArray(acc, out + 3 * LANES);
        a4.intoArray(acc, out + 4 * LANES);
        a5.intoArray(acc, out + 5 * LANES);
        a6.intoArray(acc, out + 6 * LANES);
        a7.intoArray(acc, out + 7 * LANES);
    }

    /**
     * {@link #addRunEight} for events of value 1 (binary spikes): {@code w * 1 + a} rounds as {@code a
     * + w}, so plain additions give the multiply-adds' bits without the values' loads and broadcasts.
     */
    private static void addOnesEight(
            float[] packedW, int[] weightRows, int first, int end, int shift, float[] acc, int out) {
        var a0 = FloatVector.fromArray(SPECIES, acc, out);
        var a1 = FloatVector.fromArray(SPECIES, acc, out + LANES);
        var a2 = FloatVector.fromArray(SPECIES, acc, out + 2 * LANES);
        var a3 = FloatVector.fromArray(SPECIES, acc, out + 3 * LANES);
        var a4 = FloatVector.fromArray(SPECIES, acc, out + 4 * LANES);
        var a5 = FloatVector.fromArray(SPECIES, acc, out + 5 * LANES);
        var a6 = FloatVector.fromArray(SPECIES, acc, out + 6 * LANES);
        var a7 = FloatVector.fromArray(SPECIES, acc, out + 7 * LANES);
        for (int e = first; e < end; e++) {
            int at = weightRows[e] + shift;
            a0 = a0.add(FloatVector.fromArray(SPECIES, packedW, at));
            a1 = a1.add(FloatVector.fromArray(SPECIES, packedW, at + LANES));
            a2 = a2.add(FloatVector.fromArray(SPECIES, packedW, at + 2 * LANES));
            a3 = a3.add(FloatVector.fromArray(SPECIES, packedW, at + 3 * LANES));
            a4 = a4.add(FloatVector.fromArray(SPECIES, packedW, at + 4 * LANES));
            a5 = a5.add(FloatVector.fromArray(SPECIES, packedW, at + 5 * LANES));
            a6 = a6.add(FloatVector.fromArray(SPECIES, packedW, at + 6 * LANES));
            a7 = a7.add(FloatVector.fromArray(SPECIES, packedW, at + 7 * LANES));
        }
        a0.intoArray(acc, out);
        a1.intoArray(acc, out + LANES);
        a2.intoArray(acc, out + 2 * LANES);
        a3.intoArray(acc, out + 3 * LANES);
        a4.intoArray(acc, out + 4 * LANES);
        a5.intoArray(acc, out + 5 * LANES);
        a6.intoArray(acc, out + 6 * LANES);
        a7.intoArray(acc, out + 7 * LANES);
    }

    /** {@link #addOnesEight} with four vectors of output channels. */
    private static void addOnesFour(
            float[] packedW, int[] weightRows, int first, int end, int shift, float[] acc, int out) {
        var a0 = FloatVector.fromArray(SPECIES, acc, out);
        var a1 = FloatVector.fromArray(SPECIES, acc, out + LANES);
        var a2 = FloatVector.fromArray(SPECIES, acc, out + 2 * LANES);
        var a3 = FloatVector.fromArray(SPECIES, acc, out + 3 * LANES);
        for (int e = first; e < end; e++) {
            int at = weightRows[e] + shift;
            a0 = a0.add(FloatVector.fromArray(SPECIES, packedW, at));
            a1 = a1.add(FloatVector.fromArray(SPECIES, packedW, at + LANES));
            a2 = a2.add(FloatVector.fromArray(SPECIES, packedW, at + 2 * LANES));
            a3 = a3.add(FloatVector.fromArray(SPECIES, packedW, at + 3 * LANES));
        }
        a0.intoArray(acc, out);
        a1.intoArray(acc, out + LANES);
        a2.intoArray(acc, out + 2 * LANES);
        a3.intoArray(acc, out + 3 * LANES);
    }

    /** {@link #addRunEight} with four vectors of output channels. */
    private static void addRunFour(
            float[] packedW, float[] values, int[] weightRows, int first, int end, int shift, float[] acc, int out) {
        var a0 = FloatVector.fromArray(SPECIES, acc, out);
        var a1 = FloatVector.fromArray(SPECIES, acc, out + LANES);
        var a2 = FloatVector.fromArray(SPECIES, acc, out + 2 * LANES);
        var a3 = FloatVector.fromArray(SPECIES, acc, out + 3 * LANES);
        for (int e = first; e < end; e++) {
            var v = FloatVector.broadcast(SPECIES, values[e]);
            int at = weightRows[e] + shift;
            a0 = FloatVector.fromArray(SPECIES, packedW, at).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, packedW, at + LANES).fma(v, a1);
            a2 = FloatVector.fromArray(SPECIES, packedW, at + 2 * LANES).fma(v, a2);
            a3 = FloatVector.fromArray(SPECIES, packedW, at + 3 * LANES).fma(v, a3);
        }
        a0.intoArray(acc, out);
        a1.intoArray(acc, out + LANES);
        a2.intoArray(acc, out + 2 * LANES);
        a3.intoArray(acc, out + 3 * LANES);
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
     * {@link #transposeGradient}. The input channels are split over the pool. For a block of images,
     * each channel, kernel tap and four vectors of output channels, the sum over the block's non-zero
     * inputs is held in registers and added to the part's sums, block after block; the sums are
     * added to {@code gw} at the end.
     */
    static void weightGradient(ConvGeometry g, float[] x, int batch, float[] gyT, int outChannels, float[] gw) {
        int oPad = paddedChannels(outChannels);
        int taps = g.kernelH() * g.kernelW();
        int channels = g.channels();
        int pixels = g.inPixels();
        // Images in blocks whose output gradient (about 256 KB) stays in the L2 cache while every
        // channel, tap and output vector of the part passes over their events.
        int imagesPerBlock = Math.max(1, (1 << 16) / (g.outPixels() * oPad));
        Parallel.range(channels, 1, (from, to) -> {
            int count = to - from;
            int block = Math.min(batch, imagesPerBlock);
            float[] sums = Workspace.get(Workspace.Slot.EVENT_SUMS, count * taps * oPad);
            java.util.Arrays.fill(sums, 0, count * taps * oPad, 0f);
            float[] values = Workspace.get(Workspace.Slot.EVENTS, block * pixels);
            int[] positions = Workspace.ints(Workspace.Slot.EVENTS, block * pixels);
            int[] images = Workspace.ints(Workspace.Slot.EVENT_STARTS, block * pixels);
            float[] tile = new float[4 * LANES];
            for (int j0 = 0; j0 < batch; j0 += block) {
                int j1 = Math.min(batch, j0 + block);
                for (int c = from; c < to; c++) {
                    int n = listChannelEvents(g, x, j0, j1, c, oPad, values, positions, images);
                    for (int t = 0; t < taps; t++) {
                        int ki = t / g.kernelW();
                        int kj = t % g.kernelW();
                        int at = ((c - from) * taps + t) * oPad;
                        for (int b = 0; b < oPad; b += 4 * LANES) {
                            int vectors = Math.min(4, (oPad - b) / LANES);
                            sumTap(g, ki, kj, b, vectors, n, values, positions, images, gyT, oPad, tile);
                            for (int o = 0; o < vectors * LANES; o++) {
                                sums[at + b + o] += tile[o];
                            }
                        }
                    }
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

    /** Image groups of the bordered weight gradient: at most this many, each with its own sums. */
    private static final int WEIGHT_GRADIENT_GROUPS = 16;

    /** At most this many floats (16 MB) of the groups' sums at once; fewer groups above it. */
    private static final long WEIGHT_GRADIENT_SUMS = 1 << 22;

    /**
     * How a batch is split into work for {@link #weightGradient(ConvGeometry, float[], float[], int,
     * BorderedGradient, float[])}: groups of {@code groupImages} consecutive images, each group's
     * input channels in blocks of {@code blockChannels}. A unit of work is one (group, block). The
     * split depends on the shape alone, never on the thread count, so neither do the sums.
     */
    record WeightGradientSplit(int groups, int groupImages, int blocks, int blockChannels) {
        static WeightGradientSplit of(int batch, int channels, int sumsPerChannel) {
            long sumsPerGroup = (long) channels * sumsPerChannel;
            int groups = (int)
                    Math.max(1, Math.min(Math.min(WEIGHT_GRADIENT_GROUPS, batch), WEIGHT_GRADIENT_SUMS / sumsPerGroup));
            int groupImages = (batch + groups - 1) / groups;
            groups = (batch + groupImages - 1) / groupImages;
            // Few groups (a wide layer's sums are large): split the channels too, so the pool has work.
            int blocks = Math.min(channels, (WEIGHT_GRADIENT_GROUPS + groups - 1) / groups);
            int blockChannels = (channels + blocks - 1) / blocks;
            blocks = (channels + blockChannels - 1) / blockChannels;
            return new WeightGradientSplit(groups, groupImages, blocks, blockChannels);
        }

        int units() {
            return groups * blocks;
        }
    }

    /**
     * {@code gw [O, C, kh, kw] += dY * x^T} of a stride-1 convolution over a batch, visiting only
     * non-zero inputs; {@code gy [N, O, OH, OW]} is the output gradient. The batch goes in groups of
     * images ({@link WeightGradientSplit}), claimed one at a time by the pool's threads (their cost
     * follows their non-zero inputs); each group sums into its own part of a scratch array, and the
     * groups' sums are added to {@code gw} in group order at the end.
     *
     * <p>A thread lays out one image of its group at a time in the {@link BorderedGradient} layout,
     * into its own scratch (small enough to stay in its L2 cache while it is read), then lists the
     * image's non-zero inputs and, a band of input rows at a time (a band small enough that the
     * gradient rows it reaches stay in L1), for each channel, kernel row and four vectors of
     * output channels, sums three taps of the row at once over the band's inputs: twelve sums in
     * registers, each input loading three neighbouring positions of the gradient, with no bounds
     * checks (the border is zeros).
     *
     * <p>Against {@link #weightGradient(ConvGeometry, float[], int, float[], int, float[])}: one event
     * serves three taps instead of one, no tap tests whether it leaves the output plane, and the
     * gradient is read from L1 rather than streamed from L2 once per channel, tap and vector.
     */
    static void weightGradient(ConvGeometry g, float[] x, float[] gy, int batch, BorderedGradient layout, float[] gw) {
        int sumsPerChannel = g.kernelH() * g.kernelW() * layout.paddedChannels();
        weightGradient(g, x, gy, batch, layout, WeightGradientSplit.of(batch, g.channels(), sumsPerChannel), gw);
    }

    /** {@link #weightGradient(ConvGeometry, float[], float[], int, BorderedGradient, float[])} with a given split. */
    static void weightGradient(
            ConvGeometry g,
            float[] x,
            float[] gy,
            int batch,
            BorderedGradient layout,
            WeightGradientSplit split,
            float[] gw) {
        int outChannels = layout.outChannels();
        int oPad = layout.paddedChannels();
        int taps = g.kernelH() * g.kernelW();
        int channels = g.channels();
        int perChannel = taps * oPad;
        int groupSize = channels * perChannel;
        // The calling thread's scratch: the units use other slots of their threads' workspaces, and
        // each clears its own part first.
        float[] groupSums = Workspace.get(Workspace.Slot.EVENT_SUMS, split.groups() * groupSize);
        SelfScheduledLoop.forEach(split.units(), unit -> {
            int group = unit / split.blocks();
            int block = unit % split.blocks();
            int first = group * split.groupImages();
            int last = Math.min(batch, first + split.groupImages());
            int from = block * split.blockChannels();
            int to = Math.min(channels, from + split.blockChannels());
            sumImages(g, x, gy, first, last, from, to, layout, groupSums, group * groupSize);
        });
        // Output channels split over the pool; each element's groups added in group order.
        Parallel.range(outChannels, 1, (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int c = 0; c < channels; c++) {
                    int dst = (o * channels + c) * taps;
                    for (int t = 0; t < taps; t++) {
                        int src = c * perChannel + t * oPad + o;
                        float s = 0;
                        for (int group = 0; group < split.groups(); group++) {
                            s += groupSums[group * groupSize + src];
                        }
                        gw[dst + t] += s;
                    }
                }
            }
        });
    }

    /**
     * The weight-gradient sums of images {@code first .. last - 1} and input channels {@code from ..
     * to - 1} into {@code sums} (channel {@code c}, tap {@code t}, output channel {@code o} at {@code
     * at + (c * taps + t) * oPad + o}), which it clears first.
     */
    private static void sumImages(
            ConvGeometry g,
            float[] x,
            float[] gy,
            int first,
            int last,
            int from,
            int to,
            BorderedGradient layout,
            float[] sums,
            int at) {
        int oPad = layout.paddedChannels();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int taps = kh * kw;
        int h = g.height();
        int pixels = g.inPixels();
        int count = to - from;
        // Input rows per band: the gradient rows they reach (band + kh - 1) in about 24 KB.
        int rowFloats = layout.cols() * oPad;
        int band = Math.max(1, (3 << 11) / rowFloats - (kh - 1));
        float[] bordered = Workspace.get(Workspace.Slot.GRADIENT_TRANSPOSED, layout.imageSize());
        float[] values = Workspace.get(Workspace.Slot.EVENTS, count * pixels);
        int[] positions = Workspace.ints(Workspace.Slot.EVENTS, count * pixels);
        int[] rowStarts = Workspace.ints(Workspace.Slot.EVENT_STARTS, count * (h + 1));
        long[] nonZero = new long[(pixels + 63) >>> 6];
        java.util.Arrays.fill(sums, at + from * taps * oPad, at + to * taps * oPad, 0f);
        for (int j = first; j < last; j++) {
            layout.fillImage(gy, j, bordered);
            listBorderedEvents(g, layout, x, j, 0, from, to, values, positions, rowStarts, nonZero);
            for (int r0 = 0; r0 < h; r0 += band) {
                int r1 = Math.min(h, r0 + band);
                for (int c = from; c < to; c++) {
                    int firstEvent = rowStarts[(c - from) * (h + 1) + r0];
                    int lastEvent = rowStarts[(c - from) * (h + 1) + r1];
                    if (firstEvent == lastEvent) {
                        continue;
                    }
                    for (int ki = 0; ki < kh; ki++) {
                        int rowAt = at + (c * taps + ki * kw) * oPad;
                        for (int b = 0; b < oPad; b += 4 * LANES) {
                            int vectors = Math.min(4, (oPad - b) / LANES);
                            int kj = 0;
                            for (; kj + 3 <= kw; kj += 3) {
                                int back = layout.tapOffset(ki, kj) - b;
                                sumThreeTaps(
                                        firstEvent,
                                        lastEvent,
                                        values,
                                        positions,
                                        bordered,
                                        back,
                                        oPad,
                                        vectors,
                                        sums,
                                        rowAt + kj * oPad + b);
                            }
                            for (; kj < kw; kj++) {
                                int back = layout.tapOffset(ki, kj) - b;
                                sumOneTap(
                                        firstEvent,
                                        lastEvent,
                                        values,
                                        positions,
                                        bordered,
                                        back,
                                        vectors,
                                        sums,
                                        rowAt + kj * oPad + b);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Lists the non-zero inputs of channels {@code from .. to - 1} of image {@code first + j}
     * ({@code j} in the bordered gradient), channel by
     * channel, each in (row, column) order: the value and where its tap {@code (0, 0)} reads the
     * bordered gradient. Channel {@code c}'s events of input row {@code iy} start at
     * {@code rowStarts[(c - from) * (h + 1) + iy]}, and the entry for row {@code h} ends them.
     *
     * <p>A channel's plane is first compared with zero a vector at a time into a bit set
     * ({@code nonZero}, one bit per pixel), then each row's set bits are walked: the work per
     * zero input is a bit of a vector compare, where testing and writing every input took a third
     * to half longer at a quarter to a third non-zero (docs/performance.md). The order of the list
     * is the same.
     */
    private static void listBorderedEvents(
            ConvGeometry g,
            BorderedGradient layout,
            float[] x,
            int first,
            int j,
            int from,
            int to,
            float[] values,
            int[] positions,
            int[] rowStarts,
            long[] nonZero) {
        int h = g.height();
        int w = g.width();
        int pixels = h * w;
        int oPad = layout.paddedChannels();
        int image = j * layout.imageSize();
        int n = 0;
        for (int c = from; c < to; c++) {
            int plane = ((first + j) * g.channels() + c) * pixels;
            markNonZeros(x, plane, pixels, nonZero);
            int starts = (c - from) * (h + 1);
            for (int iy = 0; iy < h; iy++) {
                rowStarts[starts + iy] = n;
                int rowStart = image + layout.position(iy, 0);
                int rowBit = iy * w;
                // The row's bits, a word's worth at a time (one or two words for rows up to 64 wide).
                for (int bit = rowBit, end = rowBit + w; bit < end; ) {
                    int shift = bit & 63;
                    int take = Math.min(64 - shift, end - bit);
                    long m = nonZero[bit >>> 6] >>> shift;
                    if (take < 64) {
                        m &= (1L << take) - 1;
                    }
                    for (; m != 0; m &= m - 1) {
                        int ix = bit - rowBit + Long.numberOfTrailingZeros(m);
                        values[n] = x[plane + rowBit + ix];
                        positions[n] = rowStart + ix * oPad;
                        n++;
                    }
                    bit += take;
                }
            }
            rowStarts[starts + h] = n;
        }
    }

    /** Sets bit {@code i} of {@code bits} where {@code x[from + i]} is not zero, for {@code i < count}. */
    private static void markNonZeros(float[] x, int from, int count, long[] bits) {
        java.util.Arrays.fill(bits, 0, (count + 63) >>> 6, 0L);
        int i = 0;
        // A whole vector's lanes land in one word: LANES is a power of two of at most 64.
        for (int upper = SPECIES.loopBound(count); i < upper; i += LANES) {
            long m = FloatVector.fromArray(SPECIES, x, from + i)
                    .compare(VectorOperators.NE, 0f)
                    .toLong();
            bits[i >>> 6] |= m << (i & 63);
        }
        for (; i < count; i++) {
            bits[i >>> 6] |= (x[from + i] != 0f ? 1L : 0L) << (i & 63);
        }
    }

    /**
     * Three taps of one kernel row ({@code kj, kj + 1, kj + 2}) and up to four vectors of output
     * channels: event {@code e} reads the gradient at {@code positions[e] - back}, one row of output
     * channels earlier per tap. The sums go to {@code tile}, tap {@code t} at {@code t * 4 * LANES}.
     */
    private static void sumThreeTaps(
            int first,
            int last,
            float[] values,
            int[] positions,
            float[] gy,
            int back,
            int oPad,
            int vectors,
            float[] sums,
            int sumAt) {
        if (vectors == 4) {
            sumThreeTapsFourVectors(first, last, values, positions, gy, back, oPad, sums, sumAt);
        } else {
            for (int t = 0; t < 3; t++) {
                sumOneTap(first, last, values, positions, gy, back + t * oPad, vectors, sums, sumAt + t * oPad);
            }
        }
    }

    /** {@link #sumThreeTaps} with four vectors: twelve sums in registers. */
    private static void sumThreeTapsFourVectors(
            int first,
            int last,
            float[] values,
            int[] positions,
            float[] gy,
            int back,
            int oPad,
            float[] sums,
            int sumAt) {
        int s1 = sumAt + oPad;
        int s2 = s1 + oPad;
        var a00 = FloatVector.fromArray(SPECIES, sums, sumAt);
        var a01 = FloatVector.fromArray(SPECIES, sums, sumAt + LANES);
        var a02 = FloatVector.fromArray(SPECIES, sums, sumAt + 2 * LANES);
        var a03 = FloatVector.fromArray(SPECIES, sums, sumAt + 3 * LANES);
        var a10 = FloatVector.fromArray(SPECIES, sums, s1);
        var a11 = FloatVector.fromArray(SPECIES, sums, s1 + LANES);
        var a12 = FloatVector.fromArray(SPECIES, sums, s1 + 2 * LANES);
        var a13 = FloatVector.fromArray(SPECIES, sums, s1 + 3 * LANES);
        var a20 = FloatVector.fromArray(SPECIES, sums, s2);
        var a21 = FloatVector.fromArray(SPECIES, sums, s2 + LANES);
        var a22 = FloatVector.fromArray(SPECIES, sums, s2 + 2 * LANES);
        var a23 = FloatVector.fromArray(SPECIES, sums, s2 + 3 * LANES);
        for (int e = first; e < last; e++) {
            var v = FloatVector.broadcast(SPECIES, values[e]);
            int at0 = positions[e] - back;
            int at1 = at0 - oPad;
            int at2 = at1 - oPad;
            a00 = FloatVector.fromArray(SPECIES, gy, at0).fma(v, a00);
            a01 = FloatVector.fromArray(SPECIES, gy, at0 + LANES).fma(v, a01);
            a02 = FloatVector.fromArray(SPECIES, gy, at0 + 2 * LANES).fma(v, a02);
            a03 = FloatVector.fromArray(SPECIES, gy, at0 + 3 * LANES).fma(v, a03);
            a10 = FloatVector.fromArray(SPECIES, gy, at1).fma(v, a10);
            a11 = FloatVector.fromArray(SPECIES, gy, at1 + LANES).fma(v, a11);
            a12 = FloatVector.fromArray(SPECIES, gy, at1 + 2 * LANES).fma(v, a12);
            a13 = FloatVector.fromArray(SPECIES, gy, at1 + 3 * LANES).fma(v, a13);
            a20 = FloatVector.fromArray(SPECIES, gy, at2).fma(v, a20);
            a21 = FloatVector.fromArray(SPECIES, gy, at2 + LANES).fma(v, a21);
            a22 = FloatVector.fromArray(SPECIES, gy, at2 + 2 * LANES).fma(v, a22);
            a23 = FloatVector.fromArray(SPECIES, gy, at2 + 3 * LANES).fma(v, a23);
        }
        a00.intoArray(sums, sumAt);
        a01.intoArray(sums, sumAt + LANES);
        a02.intoArray(sums, sumAt + 2 * LANES);
        a03.intoArray(sums, sumAt + 3 * LANES);
        a10.intoArray(sums, s1);
        a11.intoArray(sums, s1 + LANES);
        a12.intoArray(sums, s1 + 2 * LANES);
        a13.intoArray(sums, s1 + 3 * LANES);
        a20.intoArray(sums, s2);
        a21.intoArray(sums, s2 + LANES);
        a22.intoArray(sums, s2 + 2 * LANES);
        a23.intoArray(sums, s2 + 3 * LANES);
    }

    /** One tap and up to four vectors of output channels, as {@link #sumThreeTaps}; to {@code tile} from {@code tileAt}. */
    private static void sumOneTap(
            int first,
            int last,
            float[] values,
            int[] positions,
            float[] gy,
            int back,
            int vectors,
            float[] sums,
            int sumAt) {
        for (int u = 0; u < vectors; u++) {
            var a = FloatVector.fromArray(SPECIES, sums, sumAt + u * LANES);
            int shift = u * LANES - back;
            for (int e = first; e < last; e++) {
                a = FloatVector.fromArray(SPECIES, gy, positions[e] + shift)
                        .fma(FloatVector.broadcast(SPECIES, values[e]), a);
            }
            a.intoArray(sums, sumAt + u * LANES);
        }
    }

    /**
     * Lists the non-zero inputs of channel {@code c} of images {@code j0 .. j1 - 1}, image by image, each in
     * (row, column) order: the value, the padded position {@code (y + padding) << 16 | (x + padding)}
     * and where the image's output gradient starts in the transposed gradient. Returns their number.
     */
    private static int listChannelEvents(
            ConvGeometry g, float[] x, int j0, int j1, int c, int oPad, float[] values, int[] positions, int[] images) {
        int h = g.height();
        int w = g.width();
        int p = g.padding();
        int n = 0;
        for (int j = j0; j < j1; j++) {
            int plane = (j * g.channels() + c) * h * w;
            int gBase = j * g.outPixels() * oPad;
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    float v = x[plane + iy * w + ix];
                    if (v != 0f) {
                        values[n] = v;
                        positions[n] = (iy + p) << 16 | (ix + p);
                        images[n] = gBase;
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /**
     * The weight gradient of one kernel tap and {@code vectors} vectors of output channels from
     * {@code b}: the sum over the events of their value times the output gradient at the output
     * the tap connects them to, in event order, held in registers; written to {@code tile}.
     */
    private static void sumTap(
            ConvGeometry g,
            int ki,
            int kj,
            int b,
            int vectors,
            int n,
            float[] values,
            int[] positions,
            int[] images,
            float[] gyT,
            int oPad,
            float[] tile) {
        int s = g.stride();
        int oh = g.outHeight();
        int ow = g.outWidth();
        var a0 = FloatVector.zero(SPECIES);
        var a1 = FloatVector.zero(SPECIES);
        var a2 = FloatVector.zero(SPECIES);
        var a3 = FloatVector.zero(SPECIES);
        for (int e = 0; e < n; e++) {
            int sy = (positions[e] >>> 16) - ki;
            int sx = (positions[e] & 0xFFFF) - kj;
            if (sy < 0 || sx < 0) {
                continue;
            }
            if (s != 1) {
                if (sy % s != 0 || sx % s != 0) {
                    continue;
                }
                sy /= s;
                sx /= s;
            }
            if (sy >= oh || sx >= ow) {
                continue;
            }
            int at = images[e] + (sy * ow + sx) * oPad + b;
            var v = FloatVector.broadcast(SPECIES, values[e]);
            a0 = FloatVector.fromArray(SPECIES, gyT, at).fma(v, a0);
            if (vectors > 1) {
                a1 = FloatVector.fromArray(SPECIES, gyT, at + LANES).fma(v, a1);
            }
            if (vectors > 2) {
                a2 = FloatVector.fromArray(SPECIES, gyT, at + 2 * LANES).fma(v, a2);
            }
            if (vectors > 3) {
                a3 = FloatVector.fromArray(SPECIES, gyT, at + 3 * LANES).fma(v, a3);
            }
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, LANES);
        a2.intoArray(tile, 2 * LANES);
        a3.intoArray(tile, 3 * LANES);
    }
}
