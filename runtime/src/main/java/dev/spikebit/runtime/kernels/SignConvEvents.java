package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The event-driven +-1 convolution, output-stationary: per output position and block of output
 * channels held in vector registers, the non-zero inputs its window covers are added, each signed by
 * an XOR of its sign bit with a precomputed lane mask (docs/runtime.md). Any kernel, stride and
 * padding.
 *
 * <p>The signs are repacked once per layer ({@link #flips}) into {@code [input channel][tap][output
 * channel]} XOR masks, {@code 0} for a +1 weight and {@code 0x80000000} for a -1 weight, output
 * channels padded to whole vectors: the masks of one (input channel, tap) for a vector of output
 * channels are one load. Per call, the non-zero inputs are listed pixel by pixel in row-major
 * order (value and the offset of its channel's masks plus its column), so that one kernel row of a
 * window is one run of entries: one loop per kernel row, whose tap offset is one constant. The
 * sums wait position-major ({@code [pixel][channel]}) and are transposed into the output at the
 * end. Taking the input channels in chunks whose masks fit the L1 cache was tried and was 3x
 * slower: the runs became one or two entries long, and their loops' exits mispredicted.
 *
 * <p>The common 3x3, stride 1, padding 1 layer slides instead ({@link #slide4}): one pass over an
 * input row's entries per output row and kernel row adds each entry to the three outputs whose
 * windows hold it, the same additions in the same order as the window kernel.
 *
 * <p>Per output value, the work is one XOR and one addition per non-zero input in its window (no
 * multiplication, no bounds test inside a kernel row's loop over inputs, no store until the block is
 * done), so the cost falls with the density of the input; the order of the additions is fixed by
 * the layer and the input alone.
 */
public final class SignConvEvents {
    private static final VectorSpecies<Float> F = SignMasks.F;
    private static final VectorSpecies<Integer> I = SignMasks.I;
    /** A -1 weight flips the float's sign bit. */
    private static final int FLIP = 0x80000000;

    private SignConvEvents() {}

    /** Output channels rounded up to whole vectors (the masks' and the partial sums' pitch). */
    public static int pitch(int outChannels) {
        return (outChannels + F.length() - 1) / F.length() * F.length();
    }

    /**
     * The layer's signs as XOR masks {@code [in][k * k][pitch]}: {@code 0x80000000} where the
     * weight is -1, 0 where it is +1 and in the padding lanes. Made once per layer.
     */
    public static int[] flips(Layer.SignConv c) {
        int taps = c.kernel() * c.kernel();
        int pitch = pitch(c.outChannels());
        int[] flips = new int[c.inChannels() * taps * pitch];
        for (int o = 0; o < c.outChannels(); o++) {
            for (int j = 0; j < c.inChannels() * taps; j++) {
                if (!c.signs().isPositive(o, j)) {
                    flips[j * pitch + o] = FLIP;
                }
            }
        }
        return flips;
    }

    /** Floats of scratch {@link #run} needs for input {@code [C, h, w]}. */
    public static int floatScratch(Layer.SignConv c, int h, int w) {
        SignConvKernel.Geometry g = new SignConvKernel.Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        return c.inChannels() * h * w + g.oh() * g.ow() * pitch(c.outChannels());
    }

    /** Ints of scratch {@link #run} needs for input {@code [C, h, w]}. */
    public static int intScratch(Layer.SignConv c, int h, int w) {
        return (c.inChannels() + 1) * h * w + 1 + h * w * ((c.inChannels() + 31) >>> 5) + F.length();
    }

    /**
     * {@code out[o, oy, ox] = sum_{c, ky, kx} +-x[c, oy*s + ky - p, ox*s + kx - p]} over the
     * non-zero inputs.
     *
     * @param x      input {@code [C, h, w]} at {@code xOff}
     * @param flips  {@link #flips} of this layer
     * @param out    output {@code [O, oh, ow]} at {@code outOff}, overwritten
     * @param floats at least {@link #floatScratch} floats
     * @param ints   at least {@link #intScratch} ints
     */
    public static void run(
            Layer.SignConv c,
            int[] flips,
            float[] x,
            int xOff,
            int h,
            int w,
            float[] out,
            int outOff,
            float[] floats,
            int[] ints) {
        int acc = c.inChannels() * h * w;
        runPixels(c, flips, x, xOff, h, w, floats, acc, floats, ints);
        toChannelMajor(c, h, w, floats, acc, out, outOff);
    }

    /**
     * Position-major sums ({@link #runPixels}' layout) into {@code out} {@code [O, oh, ow]} at
     * {@code outOff}.
     */
    public static void toChannelMajor(
            Layer.SignConv c, int h, int w, float[] sums, int sumsOff, float[] out, int outOff) {
        SignConvKernel.Geometry g = new SignConvKernel.Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        // Transposed pixel by pixel: the sums are read in order, and the writes go to one line per
        // output channel at a time, which stay in the L1 cache (channel by channel, every read
        // was a new cache line: the sums are larger than the L1 cache).
        int outPlane = g.oh() * g.ow();
        int outC = c.outChannels();
        int pitch = pitch(outC);
        for (int pixel = 0, src = sumsOff; pixel < outPlane; pixel++, src += pitch) {
            for (int o = 0, dst = outOff + pixel; o < outC; o++, dst += outPlane) {
                out[dst] = sums[src + o];
            }
        }
    }

    /**
     * The sums of {@link #run} position-major: output position {@code q = oy * ow + ox} at
     * {@code sums[sumsOff + q * pitch(O) ..]}, its {@code O} channels in order and then the padding
     * lanes up to the pitch (which hold sums of no weights: the masks there are 0). A reader that
     * takes this layout (the neurons after the layer, {@link NeuronKernel#stepPooledPixels}) saves the
     * transposition, a sixth of the layer.
     *
     * @param sums   at least {@code oh * ow * pitch(O)} floats at {@code sumsOff}, overwritten; not
     *               {@code floats}' first {@code C * h * w} floats
     * @param floats at least {@code C * h * w} floats ({@link #floatScratch} is enough)
     */
    public static void runPixels(
            Layer.SignConv c,
            int[] flips,
            float[] x,
            int xOff,
            int h,
            int w,
            float[] sums,
            int sumsOff,
            float[] floats,
            int[] ints) {
        SignConvKernel.Geometry g = new SignConvKernel.Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        java.util.Arrays.fill(sums, sumsOff, sumsOff + g.oh() * g.ow() * pitch(c.outChannels()), 0f);
        addPixels(c, flips, x, xOff, h, w, sums, sumsOff, floats, ints);
    }

    /**
     * {@link #runPixels} added to the sums already in {@code sums} instead of overwriting them: each
     * window's sum starts from the value there. By linearity, the sums of an input {@code x'} are
     * those of an earlier input {@code x} plus the sums of the difference {@code x' - x}, which is
     * what the executor runs when the difference has fewer non-zero values than {@code x'}
     * (docs/runtime.md, "Events of the change").
     */
    public static void addPixels(
            Layer.SignConv c,
            int[] flips,
            float[] x,
            int xOff,
            int h,
            int w,
            float[] sums,
            int sumsOff,
            float[] floats,
            int[] ints) {
        SignConvKernel.Geometry g = new SignConvKernel.Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        int starts = list(c, x, xOff, h, w, floats, ints);
        if (g.k() == 3 && g.s() == 1 && g.p() == 1) {
            slidingRows(g, pitch(c.outChannels()), flips, floats, ints, starts, sums, sumsOff);
        } else {
            windows(g, pitch(c.outChannels()), flips, floats, ints, starts, sums, sumsOff);
        }
    }

    /**
     * {@link #addPixels} by the kernel of any geometry, a window at a time, also where the sliding
     * rows apply: for the test that the two give the same sums bit for bit.
     */
    static void addPixelsByWindows(
            Layer.SignConv c,
            int[] flips,
            float[] x,
            int xOff,
            int h,
            int w,
            float[] sums,
            int sumsOff,
            float[] floats,
            int[] ints) {
        SignConvKernel.Geometry g = new SignConvKernel.Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        int starts = list(c, x, xOff, h, w, floats, ints);
        windows(g, pitch(c.outChannels()), flips, floats, ints, starts, sums, sumsOff);
    }

    /**
     * The 3x3, stride 1, padding 1 convolution's sums ({@link #slide4}): per output row and kernel
     * row, one pass over the input row's entries, blocks of four vectors of output channels and then
     * single vectors.
     */
    private static void slidingRows(
            SignConvKernel.Geometry g,
            int pitch,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] sums,
            int sumsOff) {
        int n = F.length();
        // Kernel row outermost: each output still takes its kernel rows in order, and the masks of
        // one kernel row's taps (3 x C x pitch ints, 24 KB for 32 -> 64) stay in the L1 cache for
        // all output rows, where all nine taps' (74 KB) did not.
        for (int ky = 0; ky < 3; ky++) {
            int o = 0;
            for (; o + 4 * n <= pitch; o += 4 * n) {
                for (int oy = Math.max(0, 1 - ky); oy < Math.min(g.oh(), g.h() + 1 - ky); oy++) {
                    if (emptyRow(ints, starts, g.w(), oy + ky - 1)) {
                        continue;
                    }
                    int row = sumsOff + oy * g.ow() * pitch;
                    slide4(g.w(), oy + ky - 1, ky, pitch, o, flips, values, ints, starts, sums, row + o);
                }
            }
            for (; o < pitch; o += n) {
                for (int oy = Math.max(0, 1 - ky); oy < Math.min(g.oh(), g.h() + 1 - ky); oy++) {
                    if (emptyRow(ints, starts, g.w(), oy + ky - 1)) {
                        continue;
                    }
                    int row = sumsOff + oy * g.ow() * pitch;
                    slide1(g.w(), oy + ky - 1, ky, pitch, o, flips, values, ints, starts, sums, row + o);
                }
            }
        }
    }

    /**
     * Whether input row {@code iy} listed no entry: it adds nothing to the sums, and a slide over it
     * would only load and store them. Common in the steps computed from the change, where whole
     * rows of the input repeated.
     */
    private static boolean emptyRow(int[] ints, int starts, int w, int iy) {
        return ints[starts + iy * w] == ints[starts + (iy + 1) * w];
    }

    /** Any geometry's sums, one output position and block of output channels at a time ({@link #window8}). */
    private static void windows(
            SignConvKernel.Geometry g,
            int pitch,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] sums,
            int sumsOff) {
        int n = F.length();
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++) {
                int at = sumsOff + (oy * g.ow() + ox) * pitch;
                int o = 0;
                for (; o + 8 * n <= pitch; o += 8 * n) {
                    window8(g, oy, ox, pitch, o, flips, values, ints, starts, sums, at + o);
                }
                for (; o + 4 * n <= pitch; o += 4 * n) {
                    window4(g, oy, ox, pitch, o, flips, values, ints, starts, sums, at + o);
                }
                for (; o < pitch; o += n) {
                    window1(g, oy, ox, pitch, o, flips, values, ints, starts, sums, at + o);
                }
            }
        }
    }

    /**
     * Lists the non-zero inputs pixel by pixel in row-major order, channels in order within a
     * pixel: values in {@code values}, {@code (c * k * k + ix) * pitch} in {@code ints} (the masks
     * of channel {@code c}, offset by the input column so that a window's row adds one constant per
     * kernel row), and at {@code ints[starts + q]} where pixel {@code q}'s entries begin
     * ({@code ints[starts + h * w]}: the end), {@code starts = C * h * w}, which it returns. Since the
     * pixels of one input row are contiguous, a window's kernel row is one run of entries.
     *
     * <p>In two passes, so that the zeros cost a vector compare and not a scalar visit each: each
     * channel's plane is compared with 0 a vector at a time, and the comparison sets that channel's
     * bit in the channel masks of a vector of pixels ({@link #markChannel}: word {@code c / 32} of
     * pixel {@code q} at {@code [c / 32][q]}); then each pixel's masks are walked in channel order,
     * and only the non-zero values are read. Visiting every value in pixel-major order (a strided
     * read per value) took a sixth of the layer.
     */
    private static int list(Layer.SignConv c, float[] x, int xOff, int h, int w, float[] values, int[] ints) {
        int inC = c.inChannels();
        int plane = h * w;
        int starts = inC * plane;
        int pitch = pitch(c.outChannels());
        int perChannel = c.kernel() * c.kernel() * pitch;
        int words = (inC + 31) >>> 5;
        int masks = starts + plane + 1;
        java.util.Arrays.fill(ints, masks, masks + plane * words, 0);
        for (int ch = 0; ch < inC; ch++) {
            markChannel(x, xOff + ch * plane, plane, ints, masks + (ch >>> 5) * plane, 1 << (ch & 31));
        }
        int e = 0;
        // Pixels by row and column: the column of q = y * w + ix without a division per pixel.
        for (int y = 0, q = 0; y < h; y++) {
            for (int ix = 0; ix < w; ix++, q++) {
                ints[starts + q] = e;
                for (int wd = 0; wd < words; wd++) {
                    int bits = ints[masks + wd * plane + q];
                    int from = xOff + (wd << 5) * plane + q;
                    int mask = (wd << 5) * perChannel + ix * pitch;
                    while (bits != 0) {
                        int ch = Integer.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                        values[e] = x[from + ch * plane];
                        ints[e] = mask + ch * perChannel;
                        e++;
                    }
                }
            }
        }
        ints[starts + plane] = e;
        return starts;
    }

    /**
     * ORs {@code bit} into {@code ints[masks + q]} for each non-zero {@code x[base + q]}, {@code q <
     * plane}: a vector of values compared with 0 and a vector of masks updated at a time, with no
     * scalar step per non-zero value (a loop over the set bits of each comparison mispredicted its
     * exit about once a vector). The last vector's lanes past the plane are left as they were;
     * {@code ints} has a vector's worth of room after the masks.
     */
    private static void markChannel(float[] x, int base, int plane, int[] ints, int masks, int bit) {
        int n = F.length();
        var bits = IntVector.broadcast(I, bit);
        int q = 0;
        for (int upper = F.loopBound(plane); q < upper; q += n) {
            VectorMask<Integer> nonZero = FloatVector.fromArray(F, x, base + q)
                    .compare(VectorOperators.NE, 0f)
                    .cast(I);
            IntVector.fromArray(I, ints, masks + q)
                    .lanewise(VectorOperators.OR, bits, nonZero)
                    .intoArray(ints, masks + q);
        }
        if (q < plane) {
            VectorMask<Float> inPlane = F.indexInRange(q, plane);
            VectorMask<Integer> nonZero = FloatVector.fromArray(F, x, base + q, inPlane)
                    .compare(VectorOperators.NE, 0f, inPlane)
                    .cast(I);
            IntVector.fromArray(I, ints, masks + q)
                    .lanewise(VectorOperators.OR, bits, nonZero)
                    .intoArray(ints, masks + q);
        }
    }

    /**
     * Kernel row {@code ky} of the 3x3, stride 1, padding 1 convolution for one output row and four
     * vectors of output channels from channel {@code o}: input row {@code iy}'s entries are read once,
     * left to right, and each is added to the three outputs whose windows hold it, kept in registers
     * while the window slides (output {@code ix - 1} is done after pixel {@code ix}, output
     * {@code ix + 2} is loaded then). Each output's sums take the row's pixels in the order of
     * {@link #window4}, so the sums are the same bit for bit; an entry is broadcast once for three
     * outputs instead of once per output. {@code row}: the output row's sums at channel {@code o}.
     * The adds of pixel 0 to output -1 and of pixel {@code w - 1} to output {@code w} go to a register
     * that is dropped.
     */
    private static void slide4(
            int w,
            int iy,
            int ky,
            int pitch,
            int o,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] out,
            int row) {
        int n = F.length();
        var zero = FloatVector.zero(F);
        var a0 = zero;
        var b0 = FloatVector.fromArray(F, out, row);
        var c0 = w > 1 ? FloatVector.fromArray(F, out, row + pitch) : zero;
        var a1 = zero;
        var b1 = FloatVector.fromArray(F, out, row + n);
        var c1 = w > 1 ? FloatVector.fromArray(F, out, row + pitch + n) : zero;
        var a2 = zero;
        var b2 = FloatVector.fromArray(F, out, row + 2 * n);
        var c2 = w > 1 ? FloatVector.fromArray(F, out, row + pitch + 2 * n) : zero;
        var a3 = zero;
        var b3 = FloatVector.fromArray(F, out, row + 3 * n);
        var c3 = w > 1 ? FloatVector.fromArray(F, out, row + pitch + 3 * n) : zero;
        int first = starts + iy * w;
        for (int ix = 0; ix < w; ix++) {
            // Entries hold (c * 9 + ix) * pitch; output ix + 1 takes them as tap kx = 0, output ix as
            // kx = 1, output ix - 1 as kx = 2.
            int tap0 = (3 * ky - ix) * pitch + o;
            int tap1 = tap0 + pitch;
            int tap2 = tap0 + 2 * pitch;
            for (int e = ints[first + ix], end = ints[first + ix + 1]; e < end; e++) {
                var v = IntVector.broadcast(I, Float.floatToRawIntBits(values[e]));
                int m = ints[e];
                c0 = c0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap0))
                        .reinterpretAsFloats());
                c1 = c1.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap0 + n))
                        .reinterpretAsFloats());
                c2 = c2.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap0 + 2 * n))
                        .reinterpretAsFloats());
                c3 = c3.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap0 + 3 * n))
                        .reinterpretAsFloats());
                b0 = b0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap1))
                        .reinterpretAsFloats());
                b1 = b1.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap1 + n))
                        .reinterpretAsFloats());
                b2 = b2.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap1 + 2 * n))
                        .reinterpretAsFloats());
                b3 = b3.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap1 + 3 * n))
                        .reinterpretAsFloats());
                a0 = a0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap2))
                        .reinterpretAsFloats());
                a1 = a1.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap2 + n))
                        .reinterpretAsFloats());
                a2 = a2.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap2 + 2 * n))
                        .reinterpretAsFloats());
                a3 = a3.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap2 + 3 * n))
                        .reinterpretAsFloats());
            }
            if (ix > 0) {
                a0.intoArray(out, row + (ix - 1) * pitch);
                a1.intoArray(out, row + (ix - 1) * pitch + n);
                a2.intoArray(out, row + (ix - 1) * pitch + 2 * n);
                a3.intoArray(out, row + (ix - 1) * pitch + 3 * n);
            }
            a0 = b0;
            b0 = c0;
            c0 = ix + 2 < w ? FloatVector.fromArray(F, out, row + (ix + 2) * pitch) : zero;
            a1 = b1;
            b1 = c1;
            c1 = ix + 2 < w ? FloatVector.fromArray(F, out, row + (ix + 2) * pitch + n) : zero;
            a2 = b2;
            b2 = c2;
            c2 = ix + 2 < w ? FloatVector.fromArray(F, out, row + (ix + 2) * pitch + 2 * n) : zero;
            a3 = b3;
            b3 = c3;
            c3 = ix + 2 < w ? FloatVector.fromArray(F, out, row + (ix + 2) * pitch + 3 * n) : zero;
        }
        a0.intoArray(out, row + (w - 1) * pitch);
        a1.intoArray(out, row + (w - 1) * pitch + n);
        a2.intoArray(out, row + (w - 1) * pitch + 2 * n);
        a3.intoArray(out, row + (w - 1) * pitch + 3 * n);
    }

    /** {@link #slide4} for one vector of output channels. */
    private static void slide1(
            int w,
            int iy,
            int ky,
            int pitch,
            int o,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] out,
            int row) {
        int n = F.length();
        var zero = FloatVector.zero(F);
        var a0 = zero;
        var b0 = FloatVector.fromArray(F, out, row);
        var c0 = w > 1 ? FloatVector.fromArray(F, out, row + pitch) : zero;
        int first = starts + iy * w;
        for (int ix = 0; ix < w; ix++) {
            // Entries hold (c * 9 + ix) * pitch; output ix + 1 takes them as tap kx = 0, output ix as
            // kx = 1, output ix - 1 as kx = 2.
            int tap0 = (3 * ky - ix) * pitch + o;
            int tap1 = tap0 + pitch;
            int tap2 = tap0 + 2 * pitch;
            for (int e = ints[first + ix], end = ints[first + ix + 1]; e < end; e++) {
                var v = IntVector.broadcast(I, Float.floatToRawIntBits(values[e]));
                int m = ints[e];
                c0 = c0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap0))
                        .reinterpretAsFloats());
                b0 = b0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap1))
                        .reinterpretAsFloats());
                a0 = a0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + tap2))
                        .reinterpretAsFloats());
            }
            if (ix > 0) {
                a0.intoArray(out, row + (ix - 1) * pitch);
            }
            a0 = b0;
            b0 = c0;
            c0 = ix + 2 < w ? FloatVector.fromArray(F, out, row + (ix + 2) * pitch) : zero;
        }
        a0.intoArray(out, row + (w - 1) * pitch);
    }

    /**
     * One output position's block of eight vectors of output channels at channel {@code o}, summed
     * over the listed inputs of its window in registers (one run of entries per kernel row) and
     * stored at {@code out[sums ..]}. A method of its own that takes and returns no vectors, so that the JIT
     * compiles it whole (docs/runtime.md); 8, 4 and 1 vectors, so that a block fills the registers
     * whatever the vector width (16 registers hold 8 accumulators with AVX2, 32 with AVX-512).
     */
    private static void window8(
            SignConvKernel.Geometry g,
            int oy,
            int ox,
            int pitch,
            int o,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] out,
            int sums) {
        int n = F.length();
        var a0 = FloatVector.fromArray(F, out, sums);
        var a1 = FloatVector.fromArray(F, out, sums + n);
        var a2 = FloatVector.fromArray(F, out, sums + 2 * n);
        var a3 = FloatVector.fromArray(F, out, sums + 3 * n);
        var a4 = FloatVector.fromArray(F, out, sums + 4 * n);
        var a5 = FloatVector.fromArray(F, out, sums + 5 * n);
        var a6 = FloatVector.fromArray(F, out, sums + 6 * n);
        var a7 = FloatVector.fromArray(F, out, sums + 7 * n);
        int k = g.k();
        int x0 = ox * g.s() - g.p();
        int lo = Math.max(0, x0);
        int hi = Math.min(g.w(), x0 + k);
        for (int ky = 0; ky < k; ky++) {
            int iy = oy * g.s() + ky - g.p();
            if (iy < 0 || iy >= g.h() || lo >= hi) {
                continue;
            }
            // Entries hold (c * k * k + ix) * pitch; tap (ky, kx = ix - x0) adds (ky * k - x0) * pitch.
            int shift = (ky * k - x0) * pitch + o;
            for (int e = ints[starts + iy * g.w() + lo], end = ints[starts + iy * g.w() + hi]; e < end; e++) {
                var v = IntVector.broadcast(I, Float.floatToRawIntBits(values[e]));
                int m = ints[e] + shift;
                a0 = a0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m))
                        .reinterpretAsFloats());
                a1 = a1.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + n))
                        .reinterpretAsFloats());
                a2 = a2.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 2 * n))
                        .reinterpretAsFloats());
                a3 = a3.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 3 * n))
                        .reinterpretAsFloats());
                a4 = a4.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 4 * n))
                        .reinterpretAsFloats());
                a5 = a5.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 5 * n))
                        .reinterpretAsFloats());
                a6 = a6.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 6 * n))
                        .reinterpretAsFloats());
                a7 = a7.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 7 * n))
                        .reinterpretAsFloats());
            }
        }
        a0.intoArray(out, sums);
        a1.intoArray(out, sums + n);
        a2.intoArray(out, sums + 2 * n);
        a3.intoArray(out, sums + 3 * n);
        a4.intoArray(out, sums + 4 * n);
        a5.intoArray(out, sums + 5 * n);
        a6.intoArray(out, sums + 6 * n);
        a7.intoArray(out, sums + 7 * n);
    }

    /** {@link #window8} for four vectors of output channels. */
    private static void window4(
            SignConvKernel.Geometry g,
            int oy,
            int ox,
            int pitch,
            int o,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] out,
            int sums) {
        int n = F.length();
        var a0 = FloatVector.fromArray(F, out, sums);
        var a1 = FloatVector.fromArray(F, out, sums + n);
        var a2 = FloatVector.fromArray(F, out, sums + 2 * n);
        var a3 = FloatVector.fromArray(F, out, sums + 3 * n);
        int k = g.k();
        int x0 = ox * g.s() - g.p();
        int lo = Math.max(0, x0);
        int hi = Math.min(g.w(), x0 + k);
        for (int ky = 0; ky < k; ky++) {
            int iy = oy * g.s() + ky - g.p();
            if (iy < 0 || iy >= g.h() || lo >= hi) {
                continue;
            }
            // Entries hold (c * k * k + ix) * pitch; tap (ky, kx = ix - x0) adds (ky * k - x0) * pitch.
            int shift = (ky * k - x0) * pitch + o;
            for (int e = ints[starts + iy * g.w() + lo], end = ints[starts + iy * g.w() + hi]; e < end; e++) {
                var v = IntVector.broadcast(I, Float.floatToRawIntBits(values[e]));
                int m = ints[e] + shift;
                a0 = a0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m))
                        .reinterpretAsFloats());
                a1 = a1.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + n))
                        .reinterpretAsFloats());
                a2 = a2.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 2 * n))
                        .reinterpretAsFloats());
                a3 = a3.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m + 3 * n))
                        .reinterpretAsFloats());
            }
        }
        a0.intoArray(out, sums);
        a1.intoArray(out, sums + n);
        a2.intoArray(out, sums + 2 * n);
        a3.intoArray(out, sums + 3 * n);
    }

    /** {@link #window8} for one vector of output channels (the channels after the last whole block). */
    private static void window1(
            SignConvKernel.Geometry g,
            int oy,
            int ox,
            int pitch,
            int o,
            int[] flips,
            float[] values,
            int[] ints,
            int starts,
            float[] out,
            int sums) {
        int n = F.length();
        var a0 = FloatVector.fromArray(F, out, sums);
        int k = g.k();
        int x0 = ox * g.s() - g.p();
        int lo = Math.max(0, x0);
        int hi = Math.min(g.w(), x0 + k);
        for (int ky = 0; ky < k; ky++) {
            int iy = oy * g.s() + ky - g.p();
            if (iy < 0 || iy >= g.h() || lo >= hi) {
                continue;
            }
            // Entries hold (c * k * k + ix) * pitch; tap (ky, kx = ix - x0) adds (ky * k - x0) * pitch.
            int shift = (ky * k - x0) * pitch + o;
            for (int e = ints[starts + iy * g.w() + lo], end = ints[starts + iy * g.w() + hi]; e < end; e++) {
                var v = IntVector.broadcast(I, Float.floatToRawIntBits(values[e]));
                int m = ints[e] + shift;
                a0 = a0.add(v.lanewise(VectorOperators.XOR, IntVector.fromArray(I, flips, m))
                        .reinterpretAsFloats());
            }
        }
        a0.intoArray(out, sums);
    }
}
