package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code b = sign(W) * x} for a +-1 convolution on one image (docs/methods.md 2), additions and
 * subtractions only, reading the packed bits directly. The dense paths:
 *
 * <ul>
 *   <li>{@link #dense} for 3x3 kernels with stride 1 (the common case) uses <em>row tables</em>:
 *       a kernel row applies three signs to three neighbouring inputs, and there are only eight
 *       such sign triples. So each padded input plane is turned once into its eight signed row
 *       sums {@code R[c][t][i] = +-x[i] +- x[i+1] +- x[i+2]} (six additions and four negations per
 *       input, shared by every output channel), and an output channel then adds, per (input
 *       channel, kernel row), the table of that row's triple shifted by {@code ky * Wp}: 3 additions
 *       per input channel and output instead of 9 signed ones, and no sign handling in the inner
 *       loop. It is codeword reuse (docs/methods.md 3) at the scale of one kernel row, with the eight
 *       triples as the codebook.</li>
 *   <li>{@link #dense} for other kernels and strides: every input channel is copied once into a zero-padded plane of width
 *       {@code Wp = W + 2p}. With stride 1, output row {@code oy} at column {@code ox}, tap
 *       {@code (ky, kx)} reads padded input {@code (oy + ky) * Wp + ox + kx}; laying the output out
 *       with the same row pitch {@code Wp} turns each tap into one shifted copy of the whole plane:
 *       output plane {@code +=} input plane shifted by {@code ky * Wp + kx}, sign applied by XOR.
 *       The columns {@code ox >= ow} of that layout are computed and dropped. The output is
 *       processed in blocks of four vectors held in registers over all (input channel, tap).</li>
 * </ul>
 * The event-driven path is {@link SignConvEvents}. All compute the same sums in different orders,
 * so they agree to float rounding.
 */
public final class SignConvKernel {
    private static final VectorSpecies<Float> F = SignMasks.F;
    private static final int BLOCK = 4 * F.length();

    private SignConvKernel() {}

    /** Sign triples of one 3x3 kernel row: the row tables' codebook. */
    private static final int TRIPLES = 8;
    /** Input channels whose row tables are summed per pass over the output channels (L1 blocking). */
    private static final int CHUNK = 4;

    /** Floats of scratch {@link #dense} needs for input {@code [C, h, w]}. */
    public static int denseScratch(Layer.SignConv c, int h, int w) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        if (!usesRowTables(c)) {
            return c.inChannels() * g.planeStride() + g.rowLength();
        }
        return c.inChannels() * (g.planeStride() + TRIPLES * g.tableStride()) + c.outChannels() * g.rowLength();
    }

    /**
     * Where {@link #dense} reads, for each output channel, input channel and kernel row, the row
     * table its three signs select, for input {@code [C, h, w]}; null where the layer does not use
     * row tables (not 3x3, or strided). They depend only on the weights and the input size, so a
     * caller computes them once per layer: building them per call cost a fifth of the kernel.
     */
    public static int[] rowTableOffsets(Layer.SignConv c, int h, int w) {
        if (!usesRowTables(c)) {
            return null;
        }
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        int[] offsets = new int[c.outChannels() * c.inChannels() * c.kernel()];
        tableOffsets(c, g, c.inChannels() * g.planeStride(), offsets);
        return offsets;
    }

    private static boolean usesRowTables(Layer.SignConv c) {
        return c.kernel() == 3 && c.stride() == 1;
    }

    /**
     * Dense path: {@code out[o, oy, ox] = sum_{c, ky, kx} +-x[c, oy*s + ky - p, ox*s + kx - p]}.
     *
     * @param x       input {@code [C, h, w]} at {@code xOff}
     * @param out     output {@code [O, oh, ow]} at {@code outOff}, overwritten
     * @param scratch at least {@link #denseScratch} floats
     * @param rowTableOffsets {@link #rowTableOffsets} of this layer and input size
     */
    public static void dense(
            Layer.SignConv c,
            float[] x,
            int xOff,
            int h,
            int w,
            float[] out,
            int outOff,
            float[] scratch,
            int[] rowTableOffsets) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        if (c.stride() != 1) {
            strided(c, g, x, xOff, out, outOff);
            return;
        }
        padPlanes(c.inChannels(), c.padding(), g, x, xOff, scratch);
        if (usesRowTables(c)) {
            rowTables(c, g, out, outOff, scratch, rowTableOffsets);
        } else {
            shiftedPlanes(c, g, out, outOff, scratch);
        }
    }

    /**
     * The dense path without row tables: each tap one shifted plane with the sign XOR-ed in, for
     * any kernel. {@link #dense} uses it where row tables do not apply; public so that tests and
     * benchmarks can compare the two on 3x3 kernels.
     */
    public static void denseShiftedPlanes(
            Layer.SignConv c, float[] x, int xOff, int h, int w, float[] out, int outOff, float[] scratch) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        if (c.stride() != 1) {
            strided(c, g, x, xOff, out, outOff);
            return;
        }
        padPlanes(c.inChannels(), c.padding(), g, x, xOff, scratch);
        shiftedPlanes(c, g, out, outOff, scratch);
    }

    /** Copies each input channel into a zero-padded plane of width {@code Wp} at {@code ch * planeStride}. */
    private static void padPlanes(int inC, int p, Geometry g, float[] x, int xOff, float[] scratch) {
        int plane = g.planeStride();
        int wp = g.wp;
        java.util.Arrays.fill(scratch, 0, inC * plane, 0f);
        for (int ch = 0; ch < inC; ch++) {
            for (int y = 0; y < g.h; y++) {
                System.arraycopy(x, xOff + (ch * g.h + y) * g.w, scratch, ch * plane + (y + p) * wp + p, g.w);
            }
        }
    }

    /**
     * 3x3, stride 1: builds the eight signed row sums of every padded plane, then sums per output
     * channel one table per (input channel, kernel row).
     */
    private static void rowTables(
            Layer.SignConv c, Geometry g, float[] out, int outOff, float[] scratch, int[] offsets) {
        int inC = c.inChannels();
        int outC = c.outChannels();
        int plane = g.planeStride();
        int table = g.tableStride();
        int tablesOff = inC * plane;
        for (int ch = 0; ch < inC; ch++) {
            buildRowTables(scratch, ch * plane, scratch, tablesOff + ch * TRIPLES * table, table);
        }
        int rowLength = g.rowLength();
        int accOff = tablesOff + inC * TRIPLES * table;
        int groups = inC * 3;
        // Blocked so that the data stays in L1: for one block of output positions and a few input
        // channels, the slice of their tables (CHUNK x 8 x (BLOCK + 2 Wp) floats) is read by every
        // output channel, whose partial sums for the block are kept in the accumulator rows.
        java.util.Arrays.fill(scratch, accOff, accOff + outC * rowLength, 0f);
        for (int start = 0; start < rowLength; start += BLOCK) {
            for (int first = 0; first < groups; first += 3 * CHUNK) {
                int last = Math.min(groups, first + 3 * CHUNK);
                for (int o = 0; o < outC; o++) {
                    addTables(scratch, accOff + o * rowLength + start, offsets, o * groups, first, last, start);
                }
            }
        }
        for (int o = 0; o < outC; o++) {
            int dst = outOff + o * g.oh * g.ow;
            for (int oy = 0; oy < g.oh; oy++) {
                System.arraycopy(scratch, accOff + o * rowLength + oy * g.wp, out, dst + oy * g.ow, g.ow);
            }
        }
    }

    /**
     * One output channel's block of {@link #BLOCK} accumulators at {@code acc} plus the tables of
     * groups {@code first .. last - 1} of its offset row at {@code row}, held in four vector
     * registers. A method of its own, called for every (block, chunk, output channel), so that the
     * JIT compiles it as a whole, with its vector operations intrinsified, long before the loops
     * around it: compiled on stack inside the long loop nest, the same loop ran at a third of its
     * speed in some JVMs (docs/runtime.md).
     */
    private static void addTables(float[] scratch, int acc, int[] offsets, int row, int first, int last, int start) {
        int n = F.length();
        var a0 = FloatVector.fromArray(F, scratch, acc);
        var a1 = FloatVector.fromArray(F, scratch, acc + n);
        var a2 = FloatVector.fromArray(F, scratch, acc + 2 * n);
        var a3 = FloatVector.fromArray(F, scratch, acc + 3 * n);
        for (int gi = first; gi < last; gi++) {
            int at = offsets[row + gi] + start;
            a0 = a0.add(FloatVector.fromArray(F, scratch, at));
            a1 = a1.add(FloatVector.fromArray(F, scratch, at + n));
            a2 = a2.add(FloatVector.fromArray(F, scratch, at + 2 * n));
            a3 = a3.add(FloatVector.fromArray(F, scratch, at + 3 * n));
        }
        a0.intoArray(scratch, acc);
        a1.intoArray(scratch, acc + n);
        a2.intoArray(scratch, acc + 2 * n);
        a3.intoArray(scratch, acc + 3 * n);
    }

    /**
     * For every output channel and (input channel, kernel row), where in the scratch it reads: the
     * table of that row's sign triple (three bits of the packed row, read in place), shifted down
     * {@code ky} rows.
     */
    private static void tableOffsets(Layer.SignConv c, Geometry g, int tablesOff, int[] offsets) {
        byte[] bits = c.signs().rowBits();
        int rowBytes = c.signs().rowBytes();
        int groups = c.inChannels() * 3;
        int table = g.tableStride();
        for (int o = 0; o < c.outChannels(); o++) {
            int row = o * rowBytes;
            for (int gi = 0; gi < groups; gi++) {
                int j = gi * 3; // the row's first sign: (ch * 3 + ky) * 3
                int twoBytes = bits[row + (j >>> 3)] & 0xFF | (bits[row + (j + 2 >>> 3)] & 0xFF) << 8;
                int triple = twoBytes >>> (j & 7) & 7;
                int ch = gi / 3;
                int ky = gi - ch * 3;
                offsets[o * groups + gi] = tablesOff + (ch * TRIPLES + triple) * table + ky * g.wp;
            }
        }
    }

    /**
     * The eight signed sums {@code t[s][i] = +-p[i] +- p[i+1] +- p[i+2]} of a padded plane at
     * {@code pOff}, table {@code s} at {@code tOff + s * stride}. Bit {@code kx} of {@code s} set
     * means {@code +p[i+kx]} (a set sign bit is +1). The four triples with the first sign negative
     * are the negations of the other four.
     */
    static void buildRowTables(float[] p, int pOff, float[] t, int tOff, int stride) {
        for (int i = 0; i < stride; i += F.length()) {
            var x0 = FloatVector.fromArray(F, p, pOff + i);
            var x1 = FloatVector.fromArray(F, p, pOff + i + 1);
            var x2 = FloatVector.fromArray(F, p, pOff + i + 2);
            var plus = x0.add(x1);
            var minus = x0.sub(x1);
            var ppp = plus.add(x2);
            var ppm = plus.sub(x2);
            var pmp = minus.add(x2);
            var pmm = minus.sub(x2);
            ppp.intoArray(t, tOff + 7 * stride + i); // + + +
            ppm.intoArray(t, tOff + 3 * stride + i); // + + -
            pmp.intoArray(t, tOff + 5 * stride + i); // + - +
            pmm.intoArray(t, tOff + stride + i); // + - -
            ppp.neg().intoArray(t, tOff + i); // - - -
            ppm.neg().intoArray(t, tOff + 4 * stride + i); // - - +
            pmp.neg().intoArray(t, tOff + 2 * stride + i); // - + -
            pmm.neg().intoArray(t, tOff + 6 * stride + i); // - + +
        }
    }

    /** Any kernel, stride 1: each tap one shifted plane, the sign applied by XOR. */
    private static void shiftedPlanes(Layer.SignConv c, Geometry g, float[] out, int outOff, float[] scratch) {
        int inC = c.inChannels();
        int k = c.kernel();
        int plane = g.planeStride();
        int wp = g.wp;
        int rowLength = g.rowLength();
        int accOff = inC * plane;
        byte[] bits = c.signs().rowBits();
        int rowBytes = c.signs().rowBytes();
        for (int o = 0; o < c.outChannels(); o++) {
            int row = o * rowBytes;
            for (int start = 0; start < rowLength; start += BLOCK) {
                var a0 = FloatVector.zero(F);
                var a1 = FloatVector.zero(F);
                var a2 = FloatVector.zero(F);
                var a3 = FloatVector.zero(F);
                int j = 0;
                for (int ch = 0; ch < inC; ch++) {
                    int base = ch * plane + start;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++, j++) {
                            int flip = (~bits[row + (j >>> 3)] >>> (j & 7) & 1) << 31;
                            int at = base + ky * wp + kx;
                            a0 = a0.add(FloatVector.fromArray(F, scratch, at)
                                    .reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip)
                                    .reinterpretAsFloats());
                            a1 = a1.add(FloatVector.fromArray(F, scratch, at + F.length())
                                    .reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip)
                                    .reinterpretAsFloats());
                            a2 = a2.add(FloatVector.fromArray(F, scratch, at + 2 * F.length())
                                    .reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip)
                                    .reinterpretAsFloats());
                            a3 = a3.add(FloatVector.fromArray(F, scratch, at + 3 * F.length())
                                    .reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip)
                                    .reinterpretAsFloats());
                        }
                    }
                }
                a0.intoArray(scratch, accOff + start);
                a1.intoArray(scratch, accOff + start + F.length());
                a2.intoArray(scratch, accOff + start + 2 * F.length());
                a3.intoArray(scratch, accOff + start + 3 * F.length());
            }
            int dst = outOff + o * g.oh * g.ow;
            for (int oy = 0; oy < g.oh; oy++) {
                System.arraycopy(scratch, accOff + oy * wp, out, dst + oy * g.ow, g.ow);
            }
        }
    }

    /** Any stride: plain loops over the taps, the sign applied by XOR. */
    private static void strided(Layer.SignConv c, Geometry g, float[] x, int xOff, float[] out, int outOff) {
        int k = c.kernel();
        int s = c.stride();
        int p = c.padding();
        byte[] bits = c.signs().rowBits();
        int rowBytes = c.signs().rowBytes();
        int outPlane = g.oh * g.ow;
        java.util.Arrays.fill(out, outOff, outOff + c.outChannels() * outPlane, 0f);
        for (int o = 0; o < c.outChannels(); o++) {
            for (int ch = 0; ch < c.inChannels(); ch++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int j = (ch * k + ky) * k + kx;
                        int b = bits[o * rowBytes + (j >>> 3)];
                        for (int oy = 0; oy < g.oh; oy++) {
                            int iy = oy * s + ky - p;
                            if (iy < 0 || iy >= g.h) {
                                continue;
                            }
                            for (int ox = 0; ox < g.ow; ox++) {
                                int ix = ox * s + kx - p;
                                if (ix >= 0 && ix < g.w) {
                                    out[outOff + o * outPlane + oy * g.ow + ox] +=
                                            SignMasks.apply(b, j & 7, x[xOff + (ch * g.h + iy) * g.w + ix]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Output channels rounded up to whole vectors (the event-driven kernels' accumulator pitch). */
    static int paddedChannels(int outChannels) {
        return (outChannels + F.length() - 1) / F.length() * F.length();
    }

    /** Sizes of one image's convolution in the padded-plane layout. */
    record Geometry(int k, int s, int p, int h, int w, int wp, int oh, int ow) {
        Geometry(int k, int s, int p, int h, int w) {
            this(k, s, p, h, w, w + 2 * p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);
        }

        /** Output floats computed per channel: {@code oh} rows of pitch {@code wp}, rounded up to a block. */
        int rowLength() {
            int n = oh * wp;
            return (n + BLOCK - 1) / BLOCK * BLOCK;
        }

        /** Floats per padded input plane: every shifted read of a block stays inside. */
        int planeStride() {
            return tableStride() + F.length() + k - 1;
        }

        /** Floats per row table: every block read shifted by up to {@code k - 1} rows stays inside. */
        int tableStride() {
            int n = rowLength() + (k - 1) * wp;
            return (n + F.length() - 1) / F.length() * F.length();
        }
    }
}
