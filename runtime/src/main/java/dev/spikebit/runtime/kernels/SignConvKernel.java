package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code b = sign(W) * x} for a +-1 convolution on one image (methods.md 2), additions and
 * subtractions only, reading the packed bits directly. Two paths:
 *
 * <ul>
 *   <li>{@link #dense}: every input channel is copied once into a zero-padded plane of width
 *       {@code Wp = W + 2p}. With stride 1, output row {@code oy} at column {@code ox}, tap
 *       {@code (ky, kx)} reads padded input {@code (oy + ky) * Wp + ox + kx}; laying the output out
 *       with the same row pitch {@code Wp} turns each tap into one shifted copy of the whole plane:
 *       output plane {@code +=} input plane shifted by {@code ky * Wp + kx}, sign applied by XOR.
 *       The columns {@code ox >= ow} of that layout are computed and dropped. The output is
 *       processed in blocks of four vectors held in registers over all (input channel, tap).</li>
 *   <li>{@link #events}: only non-zero inputs are visited; each adds its value, signed by the
 *       bits of its (input channel, tap) column, to all output channels of every output position
 *       it reaches. The outputs are accumulated position-major ({@code [pixel][channel]}, so the
 *       channels are contiguous) and transposed at the end.</li>
 * </ul>
 * Both compute the same sums in different orders, so they agree to float rounding.
 */
public final class SignConvKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int BLOCK = 4 * F.length();

    private SignConvKernel() {
    }

    /** Floats of scratch {@link #dense} needs for input {@code [C, h, w]}. */
    public static int denseScratch(Layer.SignConv c, int h, int w) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        return c.inChannels() * g.planeStride() + g.rowLength();
    }

    /** Floats of scratch {@link #events} needs for input {@code [C, h, w]}. */
    public static int eventScratch(Layer.SignConv c, int h, int w) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        return g.oh * g.ow * paddedChannels(c.outChannels()) + c.inChannels() * h * w;
    }

    /**
     * Dense path: {@code out[o, oy, ox] = sum_{c, ky, kx} +-x[c, oy*s + ky - p, ox*s + kx - p]}.
     *
     * @param x       input {@code [C, h, w]} at {@code xOff}
     * @param out     output {@code [O, oh, ow]} at {@code outOff}, overwritten
     * @param scratch at least {@link #denseScratch} floats
     */
    public static void dense(Layer.SignConv c, float[] x, int xOff, int h, int w, float[] out, int outOff,
                             float[] scratch) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        if (c.stride() != 1) {
            strided(c, g, x, xOff, out, outOff);
            return;
        }
        int inC = c.inChannels();
        int k = c.kernel();
        int p = c.padding();
        int plane = g.planeStride();
        int wp = g.wp;
        java.util.Arrays.fill(scratch, 0, inC * plane, 0f);
        for (int ch = 0; ch < inC; ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(x, xOff + (ch * h + y) * w, scratch, ch * plane + (y + p) * wp + p, w);
            }
        }
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
                            a0 = a0.add(FloatVector.fromArray(F, scratch, at).reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip).reinterpretAsFloats());
                            a1 = a1.add(FloatVector.fromArray(F, scratch, at + F.length()).reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip).reinterpretAsFloats());
                            a2 = a2.add(FloatVector.fromArray(F, scratch, at + 2 * F.length()).reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip).reinterpretAsFloats());
                            a3 = a3.add(FloatVector.fromArray(F, scratch, at + 3 * F.length()).reinterpretAsInts()
                                    .lanewise(VectorOperators.XOR, flip).reinterpretAsFloats());
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

    /**
     * Event-driven path: visits the {@code count} non-zero inputs listed in {@code events}
     * (indices into the input {@code [C, h, w]}, in increasing order) and adds each, signed, into
     * every output it reaches.
     *
     * @param scratch at least {@link #eventScratch} floats
     */
    public static void events(Layer.SignConv c, float[] x, int xOff, int h, int w, int[] events, int count,
                              float[] out, int outOff, float[] scratch) {
        Geometry g = new Geometry(c.kernel(), c.stride(), c.padding(), h, w);
        int k = c.kernel();
        int s = c.stride();
        int p = c.padding();
        int outC = c.outChannels();
        int pitch = paddedChannels(outC);
        int columnBytes = c.signs().columnBytes();
        byte[] columns = c.signs().columnBits();
        int[] table = SignMasks.TABLE;
        int plane = h * w;
        java.util.Arrays.fill(scratch, 0, g.oh * g.ow * pitch, 0f);
        for (int e = 0; e < count; e++) {
            int index = events[e];
            int ch = index / plane;
            int rest = index - ch * plane;
            int y = rest / w;
            int xx = rest - y * w;
            var value = IntVector.broadcast(SignMasks.INTS, Float.floatToRawIntBits(x[xOff + index]));
            for (int ky = 0; ky < k; ky++) {
                // Output row oy reads input row oy * s + ky - p: this input is reached from oy = (y + p - ky) / s.
                int ty = y + p - ky;
                if (ty < 0 || (s != 1 && ty % s != 0)) {
                    continue;
                }
                int oy = s == 1 ? ty : ty / s;
                if (oy >= g.oh) {
                    continue;
                }
                for (int kx = 0; kx < k; kx++) {
                    int tx = xx + p - kx;
                    if (tx < 0 || (s != 1 && tx % s != 0)) {
                        continue;
                    }
                    int ox = s == 1 ? tx : tx / s;
                    if (ox >= g.ow) {
                        continue;
                    }
                    int acc = (oy * g.ow + ox) * pitch;
                    int column = ((ch * k + ky) * k + kx) * columnBytes;
                    for (int gi = 0; gi < columnBytes; gi++) {
                        var signed = value.lanewise(VectorOperators.XOR,
                                IntVector.fromArray(SignMasks.INTS, table, (columns[column + gi] & 0xFF) * 8))
                                .reinterpretAsFloats();
                        FloatVector.fromArray(SignMasks.FLOATS, scratch, acc + gi * 8).add(signed)
                                .intoArray(scratch, acc + gi * 8);
                    }
                }
            }
        }
        int outPlane = g.oh * g.ow;
        for (int pixel = 0; pixel < outPlane; pixel++) {
            int src = pixel * pitch;
            for (int o = 0; o < outC; o++) {
                out[outOff + o * outPlane + pixel] = scratch[src + o];
            }
        }
    }

    /** Output channels rounded up to whole bytes of signs (eight lanes). */
    static int paddedChannels(int outChannels) {
        return (outChannels + 7) & ~7;
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
            return rowLength() + (k - 1) * wp + k - 1;
        }
    }
}
