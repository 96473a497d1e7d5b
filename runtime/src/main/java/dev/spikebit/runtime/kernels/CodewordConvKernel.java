package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code b = sign(W) * x} for a sub-bit 3x3 convolution on one image, with codeword reuse
 * (docs/methods.md 3, docs/s2nn.md 6): every input channel is convolved once with each of the layer's
 * {@code K = 2^eta} codewords, then every output channel adds the {@code in} maps its kernels
 * select (negated where the channel's negation bit is set). Additions and subtractions only.
 *
 * <p>The output is computed in bands of whole output rows (about {@value #BAND_LANES} values), the
 * input channels in chunks, so the scratch stays small whatever the image:
 *
 * <ol>
 *   <li><b>Codeword maps</b> (stride 1). The band's rows of one input channel are copied into a
 *       zero-padded tile of row pitch {@code Wp = w + 2p}, and the maps are laid out with the same
 *       pitch (output {@code (oy, ox)} at lane {@code oy * Wp + ox}; the two columns past {@code ow}
 *       are computed and dropped), so that tap {@code (ky, kx)} of every output lane is the tile
 *       lane {@code ky * Wp + kx} further. The layer's {@link CodewordMaps}, compiled from its
 *       codebook when the model is loaded ({@link #compileMaps}), write all {@code K} maps of a
 *       vector of lanes from twelve register-held row triples: two additions per map and value, no
 *       loads. Wide rows ({@code Wp >= V}) go one column block at a time down the rows, each tile
 *       row's triples computed once for the three output rows that read them; the blocks run from
 *       the right, so that a block's spill past the row end lands in the next row's first columns
 *       before block 0 writes them. Other strides compute each map value with a plain loop over
 *       the nine taps (lane {@code oy * ow + ox}).</li>
 *   <li><b>Selected sums.</b> The maps of a chunk of input channels are stored one after the
 *       other (their pitch an odd number of cache lines, so that equal lanes of different maps
 *       fall into different cache sets). The output is summed lane group by lane group
 *       ({@value #GROUP_VECTORS} vectors): four output channels at a time keep their group of the
 *       sum in registers while walking the chunk's channels, each adding one contiguous run of its
 *       selected map; the chunk is sized so that one lane group of all its maps fits the L1
 *       cache.</li>
 * </ol>
 *
 * Per output value and input channel this is about {@code 6 + 2 K} additions shared by all output
 * channels, plus one per output channel, against three per output channel for the row-table sign
 * convolution ({@link SignConvKernel#dense}) and nine for the direct one. The sums are the same as
 * the sign convolution's in another order, so they agree to float rounding.
 */
public final class CodewordConvKernel {
    private static final VectorSpecies<Float> F = SignMasks.F;
    private static final int V = F.length();
    /** Vectors per lane group; {@link #accumulate} keeps two per output channel in registers. */
    private static final int GROUP_VECTORS = 2;

    private static final int GROUP = GROUP_VECTORS * V;
    /** Output values per band: the codeword maps of a band stay in the L2 cache. */
    private static final int BAND_LANES = 256;
    /** Floats of codeword maps per lane group and channel chunk: 24 KB, inside the L1 cache. */
    private static final int GROUP_FLOATS = 6144;
    /** Floats per 64-byte cache line. */
    private static final int LINE_FLOATS = 16;

    private CodewordConvKernel() {}

    /**
     * The layer's codeword maps compiled to code ({@link CodewordMapsCompiler}): once per layer,
     * when the model is loaded, and passed to every {@link #dense} call.
     */
    public static CodewordMaps compileMaps(Layer.CodewordConv c) {
        return CodewordMapsCompiler.compile(c.codebook());
    }

    /** Floats of scratch {@link #dense} needs for input {@code [C, h, w]}. */
    public static int scratch(Layer.CodewordConv c, int h, int w) {
        Tiling t = Tiling.of(c, h, w);
        if (t.end() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("codeword_conv \"" + c.name() + "\": input " + h + "x" + w + " needs "
                    + t.end() + " floats of scratch, more than an array holds");
        }
        return (int) t.end();
    }

    /**
     * The additions this kernel performs for one input {@code [C, h, w]}: the codeword maps (with
     * stride 1, six per vector of tile-row triples and two per map vector; otherwise {@code 9 K}
     * per value) and the selected sums ({@code in} per computed value and output channel), counting
     * the lanes it computes and drops too (the columns past {@code ow}, whole vectors and lane
     * groups).
     */
    public static long additions(Layer.CodewordConv c, int h, int w) {
        Tiling t = Tiling.of(c, h, w);
        long codewords = c.codewords();
        long maps = 0;
        long lanes = 0;
        for (int oy0 = 0; oy0 < t.oh; oy0 += t.bandRows) {
            int rows = Math.min(t.bandRows, t.oh - oy0);
            int bandLanes = roundUp(rows * t.rowPitch, GROUP);
            lanes += bandLanes;
            if (c.stride() != 1) {
                maps += 9 * codewords * bandLanes;
            } else if (t.slides()) {
                long blocks = (t.ow + V - 1) / V;
                maps += blocks * V * (6L * (rows + 2) + 2 * codewords * rows);
            } else {
                maps += (long) t.narrowVectors(rows) * V * (18 + 2 * codewords);
            }
        }
        return c.inChannels() * maps + (long) c.outChannels() * c.inChannels() * lanes;
    }

    /**
     * {@code out[o, oy, ox] = s_o sum_{c, ky, kx} sign(codeword(o, c), ky, kx) x[c, oy*s + ky - p, ox*s + kx - p]}.
     *
     * @param maps    {@link #compileMaps} of this layer
     * @param x       input {@code [C, h, w]} at {@code xOff}
     * @param out     output {@code [O, oh, ow]} at {@code outOff}, overwritten
     * @param scratch at least {@link #scratch} floats
     */
    public static void dense(
            Layer.CodewordConv c,
            CodewordMaps maps,
            float[] x,
            int xOff,
            int h,
            int w,
            float[] out,
            int outOff,
            float[] scratch) {
        Tiling t = Tiling.of(c, h, w);
        int in = c.inChannels();
        int plane = t.oh * t.ow;
        for (int oy0 = 0; oy0 < t.oh; oy0 += t.bandRows) {
            int rows = Math.min(t.bandRows, t.oh - oy0);
            int lanes = roundUp(rows * t.rowPitch, GROUP);
            for (int c0 = 0; c0 < in; c0 += t.chunk) {
                int count = Math.min(t.chunk, in - c0);
                for (int local = 0; local < count; local++) {
                    int dst = t.mapsOff + local * c.codewords() * t.mapPitch;
                    if (c.stride() == 1) {
                        fillTile(c, t, x, xOff, c0 + local, oy0, rows, scratch);
                        codewordMaps(maps, t, rows, dst, scratch);
                    } else {
                        mapsStrided(c, t, x, xOff, c0 + local, dst, oy0, rows, lanes, scratch);
                    }
                }
                accumulate(c, t, c0, count, lanes, scratch, c0 == 0, c0 + count == in);
            }
            for (int o = 0; o < c.outChannels(); o++) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(
                            scratch,
                            t.accOff + o * t.bandLanes + r * t.rowPitch,
                            out,
                            outOff + o * plane + (oy0 + r) * t.ow,
                            t.ow);
                }
            }
        }
    }

    /** Copies padded rows {@code oy0 .. oy0 + rows + 1} of channel {@code ch} into the tile, pitch {@code Wp}. */
    private static void fillTile(
            Layer.CodewordConv c, Tiling t, float[] x, int xOff, int ch, int oy0, int rows, float[] s) {
        int p = c.padding();
        java.util.Arrays.fill(s, t.tileOff, t.tileOff + t.tileLength, 0f);
        for (int r = 0; r < rows + 2; r++) {
            int iy = oy0 + r - p;
            if (iy >= 0 && iy < t.h) {
                System.arraycopy(x, xOff + (ch * t.h + iy) * t.w, s, t.tileOff + r * t.rowPitch + p, t.w);
            }
        }
    }

    /** Stride 1: every codeword's map of the tile, at {@code dst + j * mapPitch}. */
    private static void codewordMaps(CodewordMaps maps, Tiling t, int rows, int dst, float[] s) {
        int pitch = t.rowPitch;
        if (t.slides()) {
            // From the right: see the class comment.
            for (int c0 = (t.ow - 1) / V * V; c0 >= 0; c0 -= V) {
                maps.rows(s, t.tileOff + c0, pitch, rows, dst + c0, t.mapPitch);
            }
        } else {
            maps.vectors(s, t.tileOff, pitch, t.narrowVectors(rows), dst, t.mapPitch);
        }
    }

    /** Any stride: each map value as a plain sum over the nine taps (lanes {@code r * ow + ox}). */
    private static void mapsStrided(
            Layer.CodewordConv c,
            Tiling t,
            float[] x,
            int xOff,
            int ch,
            int dst0,
            int oy0,
            int rows,
            int lanes,
            float[] s) {
        int codewords = c.codewords();
        int stride = c.stride();
        int p = c.padding();
        int used = rows * t.ow;
        for (int j = 0; j < codewords; j++) {
            int id = c.codebook()[j];
            int dst = dst0 + j * t.mapPitch;
            for (int lane = 0; lane < lanes; lane++) {
                float sum = 0f;
                if (lane < used) {
                    int oy = oy0 + lane / t.ow;
                    int ox = lane % t.ow;
                    for (int ky = 0; ky < 3; ky++) {
                        int iy = oy * stride + ky - p;
                        if (iy < 0 || iy >= t.h) {
                            continue;
                        }
                        for (int kx = 0; kx < 3; kx++) {
                            int ix = ox * stride + kx - p;
                            if (ix >= 0 && ix < t.w) {
                                float v = x[xOff + (ch * t.h + iy) * t.w + ix];
                                sum += (id >>> (3 * ky + kx) & 1) != 0 ? v : -v;
                            }
                        }
                    }
                }
                s[dst + lane] = sum;
            }
        }
    }

    /**
     * Adds, for every output channel, the maps its kernels with input channels
     * {@code c0 .. c0 + count - 1} select, into the band's sums (started at 0 for the first chunk;
     * negated where the channel's negation bit is set after the last).
     */
    private static void accumulate(
            Layer.CodewordConv c, Tiling t, int c0, int count, int lanes, float[] s, boolean first, boolean last) {
        int in = c.inChannels();
        int outC = c.outChannels();
        byte[] index = c.indices();
        boolean[] negate = c.negate();
        int mapPitch = t.mapPitch;
        int perChannel = c.codewords() * mapPitch;
        int pitch = t.bandLanes;
        for (int i = 0, group = t.mapsOff; i < lanes; i += GROUP, group += GROUP) {
            int o = 0;
            for (; o + 4 <= outC; o += 4) {
                int acc = t.accOff + o * pitch + i;
                FloatVector a0 = start(s, acc, first);
                FloatVector b0 = start(s, acc + V, first);
                FloatVector a1 = start(s, acc + pitch, first);
                FloatVector b1 = start(s, acc + pitch + V, first);
                FloatVector a2 = start(s, acc + 2 * pitch, first);
                FloatVector b2 = start(s, acc + 2 * pitch + V, first);
                FloatVector a3 = start(s, acc + 3 * pitch, first);
                FloatVector b3 = start(s, acc + 3 * pitch + V, first);
                int row = o * in + c0;
                for (int local = 0, maps = group; local < count; local++, maps += perChannel) {
                    int m0 = maps + (index[row + local] & 0xFF) * mapPitch;
                    int m1 = maps + (index[row + in + local] & 0xFF) * mapPitch;
                    int m2 = maps + (index[row + 2 * in + local] & 0xFF) * mapPitch;
                    int m3 = maps + (index[row + 3 * in + local] & 0xFF) * mapPitch;
                    a0 = a0.add(FloatVector.fromArray(F, s, m0));
                    b0 = b0.add(FloatVector.fromArray(F, s, m0 + V));
                    a1 = a1.add(FloatVector.fromArray(F, s, m1));
                    b1 = b1.add(FloatVector.fromArray(F, s, m1 + V));
                    a2 = a2.add(FloatVector.fromArray(F, s, m2));
                    b2 = b2.add(FloatVector.fromArray(F, s, m2 + V));
                    a3 = a3.add(FloatVector.fromArray(F, s, m3));
                    b3 = b3.add(FloatVector.fromArray(F, s, m3 + V));
                }
                finish(a0, b0, s, acc, last && negate[o]);
                finish(a1, b1, s, acc + pitch, last && negate[o + 1]);
                finish(a2, b2, s, acc + 2 * pitch, last && negate[o + 2]);
                finish(a3, b3, s, acc + 3 * pitch, last && negate[o + 3]);
            }
            // The output channels after the last whole block of four, one at a time.
            for (; o < outC; o++) {
                int acc = t.accOff + o * pitch + i;
                FloatVector a = start(s, acc, first);
                FloatVector b = start(s, acc + V, first);
                int row = o * in + c0;
                for (int local = 0, maps = group; local < count; local++, maps += perChannel) {
                    int m = maps + (index[row + local] & 0xFF) * mapPitch;
                    a = a.add(FloatVector.fromArray(F, s, m));
                    b = b.add(FloatVector.fromArray(F, s, m + V));
                }
                finish(a, b, s, acc, last && negate[o]);
            }
        }
    }

    private static FloatVector start(float[] s, int at, boolean first) {
        return first ? FloatVector.zero(F) : FloatVector.fromArray(F, s, at);
    }

    private static void finish(FloatVector a, FloatVector b, float[] s, int at, boolean negate) {
        (negate ? a.neg() : a).intoArray(s, at);
        (negate ? b.neg() : b).intoArray(s, at + V);
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /**
     * How one image's convolution is cut up, and where its parts live in the scratch: the padded
     * tile of one channel's band ({@code tileOff}, stride 1 only), the codeword maps of one chunk of
     * channels ({@code mapsOff}, map {@code (local channel, codeword)} at
     * {@code (local * K + codeword) * mapPitch}) and the band's sums per output channel
     * ({@code accOff}, {@code bandLanes} each). Output row {@code r} of a band is at lane
     * {@code r * rowPitch}: {@code Wp} with stride 1, {@code ow} otherwise.
     *
     * @param bandRows output rows per band
     * @param chunk    input channels per chunk
     */
    private record Tiling(
            int h,
            int w,
            int oh,
            int ow,
            int rowPitch,
            int bandRows,
            int bandLanes,
            int chunk,
            int tileOff,
            int tileLength,
            int mapsOff,
            int mapPitch,
            int accOff,
            long end) {
        static Tiling of(Layer.CodewordConv c, int h, int w) {
            int s = c.stride();
            int p = c.padding();
            int oh = (h + 2 * p - 3) / s + 1;
            int ow = (w + 2 * p - 3) / s + 1;
            int rowPitch = s == 1 ? w + 2 * p : ow;
            int bandRows = Math.max(1, Math.min(oh, BAND_LANES / rowPitch));
            int bandLanes = roundUp(bandRows * rowPitch, GROUP);
            int codewords = c.codewords();
            int chunk = Math.max(1, Math.min(c.inChannels(), GROUP_FLOATS / (codewords * GROUP)));
            // The tile: the band's rows and the two below, padded, and what the last vectors read
            // past them (less than 2 V lanes).
            int tileLength = s == 1 ? (bandRows + 2) * rowPitch + 2 * V : 0;
            // Every lane the selected sums read and the maps write (a vector past the band's
            // end), rounded to an odd number of cache lines: equal lanes of the maps then fall
            // into every cache set in turn instead of piling up in a few.
            int mapLanes = Math.max(bandLanes, bandRows * rowPitch + V);
            int mapPitch = ((mapLanes + LINE_FLOATS - 1) / LINE_FLOATS | 1) * LINE_FLOATS;
            long mapsOff = tileLength;
            long accOff = mapsOff + (long) chunk * codewords * mapPitch;
            long end = accOff + (long) c.outChannels() * bandLanes;
            return new Tiling(
                    h,
                    w,
                    oh,
                    ow,
                    rowPitch,
                    bandRows,
                    bandLanes,
                    chunk,
                    0,
                    tileLength,
                    (int) Math.min(mapsOff, Integer.MAX_VALUE),
                    mapPitch,
                    (int) Math.min(accOff, Integer.MAX_VALUE),
                    end);
        }

        /** Stride 1 with rows at least a vector wide: the maps slide down the rows. */
        boolean slides() {
            return tileLength > 0 && rowPitch >= V;
        }

        /** Narrow rows: the vectors that cover a band of {@code rows} rows, a vector at a time. */
        int narrowVectors(int rows) {
            return (rows * rowPitch + V - 1) / V;
        }
    }
}
