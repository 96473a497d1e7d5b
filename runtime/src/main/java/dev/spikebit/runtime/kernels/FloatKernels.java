package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The full-precision layers of a deployed network on one image (docs/methods.md 2: the first and the
 * last layer stay full precision): convolution, fully connected layer, input normalisation and the
 * per-channel affine maps. These are the only places where the runtime multiplies by a weight.
 */
public final class FloatKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * Outputs per {@link #block}: eight vectors, so that each accumulator's chain of fused
     * multiply-adds (one per tap: nine for a 3x3 kernel on one input channel) waits on its
     * previous result no longer than the other seven take to issue; with four, the stem was bound
     * by the fused multiply-add's latency, not its throughput.
     */
    private static final int BLOCK = 8 * F.length();

    private FloatKernels() {}

    /** Floats of scratch {@link #conv} needs for input {@code [C, h, w]}. */
    public static int convScratch(Layer.Conv c, int h, int w) {
        int wp = w + 2 * c.padding();
        int oh = (h + 2 * c.padding() - c.kernel()) / c.stride() + 1;
        int rowLength = (oh * wp + BLOCK - 1) / BLOCK * BLOCK;
        return c.inChannels() * (rowLength + (c.kernel() - 1) * wp + c.kernel() - 1) + rowLength;
    }

    /**
     * Convolution {@code out[o] = bias[o] + sum_{c, ky, kx} w[o, c, ky, kx] x[c, ...]}; with stride 1
     * in the padded-plane layout of {@link SignConvKernel#dense} (each tap one shifted plane times
     * a broadcast weight), otherwise plain loops.
     */
    public static void conv(Layer.Conv c, float[] x, int xOff, int h, int w, float[] out, int outOff, float[] scratch) {
        int k = c.kernel();
        int p = c.padding();
        int s = c.stride();
        int inC = c.inChannels();
        int wp = w + 2 * p;
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        float[] weight = c.weight();
        float[] bias = c.bias();
        int kk = k * k;
        if (s != 1) {
            convStrided(c, x, xOff, h, w, oh, ow, out, outOff);
            return;
        }
        int rowLength = (oh * wp + BLOCK - 1) / BLOCK * BLOCK;
        int plane = rowLength + (k - 1) * wp + k - 1;
        java.util.Arrays.fill(scratch, 0, inC * plane, 0f);
        for (int ch = 0; ch < inC; ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(x, xOff + (ch * h + y) * w, scratch, ch * plane + (y + p) * wp + p, w);
            }
        }
        int accOff = inC * plane;
        for (int o = 0; o < c.outChannels(); o++) {
            for (int start = 0; start < rowLength; start += BLOCK) {
                block(scratch, start, inC, plane, weight, o * inC * kk, k, wp, accOff + start);
            }
            int dst = outOff + o * oh * ow;
            if (bias == null) {
                for (int oy = 0; oy < oh; oy++) {
                    System.arraycopy(scratch, accOff + oy * wp, out, dst + oy * ow, ow);
                }
            } else {
                addRows(scratch, accOff, wp, bias[o], out, dst, oh, ow);
            }
        }
    }

    /**
     * {@code out[dst + oy * ow + ox] = acc[at + oy * wp + ox] + b} for {@code oh} rows of {@code ow}:
     * the bias added a vector at a time (the same float additions as one by one), a masked last
     * vector per row. A scalar loop here took a quarter of the stem.
     */
    private static void addRows(float[] acc, int at, int wp, float b, float[] out, int dst, int oh, int ow) {
        int upper = F.loopBound(ow);
        for (int oy = 0; oy < oh; oy++) {
            int src = at + oy * wp;
            int to = dst + oy * ow;
            int ox = 0;
            for (; ox < upper; ox += F.length()) {
                FloatVector.fromArray(F, acc, src + ox).add(b).intoArray(out, to + ox);
            }
            for (; ox < ow; ox++) {
                out[to + ox] = acc[src + ox] + b;
            }
        }
    }

    /**
     * One block of {@link #BLOCK} outputs of one output channel, in eight vector registers over all
     * (input channel, tap), stored at {@code acc}: weights from {@code wBase}, padded planes of pitch
     * {@code wp} every {@code plane} floats. A method of its own, called per block, so that the JIT
     * compiles it whole rather than on stack inside the loop over channels (docs/runtime.md).
     */
    private static void block(
            float[] scratch, int start, int inC, int plane, float[] weight, int wBase, int k, int wp, int acc) {
        int n = F.length();
        var a0 = FloatVector.zero(F);
        var a1 = FloatVector.zero(F);
        var a2 = FloatVector.zero(F);
        var a3 = FloatVector.zero(F);
        var a4 = FloatVector.zero(F);
        var a5 = FloatVector.zero(F);
        var a6 = FloatVector.zero(F);
        var a7 = FloatVector.zero(F);
        // One loop over the taps, each tap's offset stepped from the last one's (one to the right,
        // or to the next row's or channel's first column): a division and a remainder by k per tap cost more
        // than its eight fused multiply-adds, and nested loops over rows and columns (three
        // iterations each) were slower with 256-bit vectors.
        int taps = inC * k * k;
        for (int tap = 0, kx = 0, ky = 0, at = start; tap < taps; tap++) {
            var wt = FloatVector.broadcast(F, weight[wBase + tap]);
            a0 = FloatVector.fromArray(F, scratch, at).fma(wt, a0);
            a1 = FloatVector.fromArray(F, scratch, at + n).fma(wt, a1);
            a2 = FloatVector.fromArray(F, scratch, at + 2 * n).fma(wt, a2);
            a3 = FloatVector.fromArray(F, scratch, at + 3 * n).fma(wt, a3);
            a4 = FloatVector.fromArray(F, scratch, at + 4 * n).fma(wt, a4);
            a5 = FloatVector.fromArray(F, scratch, at + 5 * n).fma(wt, a5);
            a6 = FloatVector.fromArray(F, scratch, at + 6 * n).fma(wt, a6);
            a7 = FloatVector.fromArray(F, scratch, at + 7 * n).fma(wt, a7);
            kx++;
            boolean rowEnd = kx == k;
            kx = rowEnd ? 0 : kx;
            ky += rowEnd ? 1 : 0;
            boolean planeEnd = ky == k;
            ky = planeEnd ? 0 : ky;
            at += rowEnd ? (planeEnd ? plane - (k - 1) * wp - k + 1 : wp - k + 1) : 1;
        }
        a0.intoArray(scratch, acc);
        a1.intoArray(scratch, acc + n);
        a2.intoArray(scratch, acc + 2 * n);
        a3.intoArray(scratch, acc + 3 * n);
        a4.intoArray(scratch, acc + 4 * n);
        a5.intoArray(scratch, acc + 5 * n);
        a6.intoArray(scratch, acc + 6 * n);
        a7.intoArray(scratch, acc + 7 * n);
    }

    /** Any stride: plain loops over outputs and taps, skipping taps in the padding. */
    private static void convStrided(
            Layer.Conv c, float[] x, int xOff, int h, int w, int oh, int ow, float[] out, int outOff) {
        int k = c.kernel();
        int p = c.padding();
        int s = c.stride();
        int inC = c.inChannels();
        int kk = k * k;
        float[] weight = c.weight();
        float[] bias = c.bias();
        for (int o = 0; o < c.outChannels(); o++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float sum = 0f;
                    for (int ch = 0; ch < inC; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * s + ky - p;
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * s + kx - p;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    sum += weight[(o * inC + ch) * kk + ky * k + kx] * x[xOff + (ch * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    out[outOff + (o * oh + oy) * ow + ox] = bias == null ? sum : sum + bias[o];
                }
            }
        }
    }

    /** {@code out[o] = bias[o] + sum_j w[o, j] x[j]}. */
    public static void linear(Layer.Linear l, float[] x, int xOff, float[] out, int outOff) {
        int in = l.inFeatures();
        float[] weight = l.weight();
        int upper = F.loopBound(in);
        for (int o = 0; o < l.outFeatures(); o++) {
            int row = o * in;
            var acc = FloatVector.zero(F);
            int j = 0;
            for (; j < upper; j += F.length()) {
                acc = FloatVector.fromArray(F, weight, row + j).fma(FloatVector.fromArray(F, x, xOff + j), acc);
            }
            float sum = Lanes.sum(acc);
            for (; j < in; j++) {
                sum += weight[row + j] * x[xOff + j];
            }
            out[outOff + o] = l.bias() == null ? sum : sum + l.bias()[o];
        }
    }

    /** {@code (x - mean[c]) * (1 / std[c])}, in place, over {@code plane} values per channel. */
    public static void normalize(Layer.Normalize n, float[] x, int off, int plane) {
        for (int c = 0; c < n.mean().length; c++) {
            float mean = n.mean()[c];
            float inv = 1f / n.std()[c];
            for (int i = off + c * plane, end = i + plane; i < end; i++) {
                x[i] = (x[i] - mean) * inv;
            }
        }
    }

    /** {@code x * scale[c] + shift[c]}, in place. */
    public static void affine(Layer.Affine a, float[] x, int off, int plane) {
        for (int c = 0; c < a.scale().length; c++) {
            float scale = a.scale()[c];
            float shift = a.shift()[c];
            int i = off + c * plane;
            int end = i + plane;
            // A multiply, then an add (no fused multiply-add): the reference's two roundings.
            for (int upper = i + F.loopBound(plane); i < upper; i += F.length()) {
                FloatVector.fromArray(F, x, i).mul(scale).add(shift).intoArray(x, i);
            }
            for (; i < end; i++) {
                x[i] = x[i] * scale + shift;
            }
        }
    }
}
