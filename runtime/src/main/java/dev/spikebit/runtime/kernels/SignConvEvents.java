package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
        return (c.inChannels() + 1) * h * w + 1 + h * w * ((c.inChannels() + 31) >>> 5);
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
        int inC = c.inChannels();
        int pitch = pitch(c.outChannels());
        int plane = h * w;
        int starts = inC * plane;
        list(c, x, xOff, h, w, pitch, floats, ints, starts);
        SignConvKernel.Geometry g = new SignConvKernel.Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        int n = F.length();
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++) {
                int at = sumsOff + (oy * g.ow() + ox) * pitch;
                int o = 0;
                for (; o + 8 * n <= pitch; o += 8 * n) {
                    window8(g, oy, ox, pitch, o, flips, floats, ints, starts, sums, at + o);
                }
                for (; o + 4 * n <= pitch; o += 4 * n) {
                    window4(g, oy, ox, pitch, o, flips, floats, ints, starts, sums, at + o);
                }
                for (; o < pitch; o += n) {
                    window1(g, oy, ox, pitch, o, flips, floats, ints, starts, sums, at + o);
                }
            }
        }
    }

    /**
     * Lists the non-zero inputs pixel by pixel in row-major order, channels in order within a
     * pixel: values in {@code values}, {@code (c * k * k + ix) * pitch} in {@code ints} (the masks
     * of channel {@code c}, offset by the input column so that a window's row adds one constant per
     * kernel row), and at {@code ints[starts + q]} where pixel {@code q}'s entries begin
     * ({@code ints[starts + h * w]}: the end). Since the pixels of one input row are contiguous, a
     * window's kernel row is one run of entries.
     *
     * <p>In two passes, so that the zeros cost a vector compare and not a scalar visit each: each
     * channel's plane is compared with 0 a vector at a time, and the set bits of the comparison
     * mark the pixel's bit of that channel in a per-pixel channel mask; then each pixel's mask is
     * walked in channel order, and only the non-zero values are read. Visiting every value in
     * pixel-major order (a strided read per value) took a sixth of the layer.
     */
    private static void list(
            Layer.SignConv c, float[] x, int xOff, int h, int w, int pitch, float[] values, int[] ints, int starts) {
        int inC = c.inChannels();
        int plane = h * w;
        int perChannel = c.kernel() * c.kernel() * pitch;
        int words = (inC + 31) >>> 5;
        int masks = starts + plane + 1;
        java.util.Arrays.fill(ints, masks, masks + plane * words, 0);
        int n = F.length();
        for (int ch = 0; ch < inC; ch++) {
            int base = xOff + ch * plane;
            int word = masks + (ch >>> 5);
            int bit = 1 << (ch & 31);
            int q = 0;
            for (int upper = F.loopBound(plane); q < upper; q += n) {
                long nonZero = FloatVector.fromArray(F, x, base + q)
                        .compare(VectorOperators.NE, 0f)
                        .toLong();
                mark(nonZero, q, ints, word, words, bit);
            }
            if (q < plane) {
                long nonZero = FloatVector.fromArray(F, x, base + q, F.indexInRange(q, plane))
                        .compare(VectorOperators.NE, 0f)
                        .toLong();
                mark(nonZero, q, ints, word, words, bit);
            }
        }
        int e = 0;
        for (int q = 0; q < plane; q++) {
            ints[starts + q] = e;
            int column = q % w * pitch;
            for (int wd = 0; wd < words; wd++) {
                int bits = ints[masks + q * words + wd];
                while (bits != 0) {
                    int ch = (wd << 5) + Integer.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    values[e] = x[xOff + ch * plane + q];
                    ints[e] = ch * perChannel + column;
                    e++;
                }
            }
        }
        ints[starts + plane] = e;
    }

    /** Sets {@code bit} in the channel mask of pixel {@code q + j} for each set bit {@code j} of {@code nonZero}. */
    private static void mark(long nonZero, int q, int[] ints, int word, int words, int bit) {
        for (long rest = nonZero; rest != 0; rest &= rest - 1) {
            ints[word + (q + Long.numberOfTrailingZeros(rest)) * words] |= bit;
        }
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
