package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import dev.spikebit.core.ops.BatchNormOp;
import dev.spikebit.core.ops.Pooling;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A LIF layer between a per-channel affine map of its input (batch norm's normalisation, or none)
 * and a 2x2, stride 2 max pooling of its output, computed a block of planes (a plane: one image's
 * channel, all steps) at a time. Per block the affine input, the LIF equations of {@link LifKernel}
 * (the fused kernel's own loops) and the pooling run on arrays of tens of kilobytes that stay in the
 * core's cache, so neither the normalised input nor the full-resolution output is written to
 * memory: forward writes the pooled output and one byte per pooled output naming its window's
 * winner; backward computes the block's potentials again from the input (the forward's first
 * steps: one read of the input instead of a write and a read of a float per neuron and step),
 * spreads the pooled gradient to the winners, runs the LIF backward and (with batch norm) sums the
 * result per plane, all in the same cache-resident block, and writes the gradient of the LIF input
 * once.
 *
 * <p>Within a plane the kernel keeps the rows split: the even rows (the windows' top rows) one after
 * the other, then the odd rows (their bottom rows), then a last odd row no window covers. The input
 * is copied into that order a row at a time (with the affine map), the LIF loops run over the block
 * as one stretch of neurons, and with an even width the top rows form one run in which window
 * {@code k}'s two neurons sit at {@code 2k} and {@code 2k + 1}: pooling splits two vectors into
 * their even and odd lanes with two lane permutations and compares whole vectors, with no row tails.
 *
 * <p>The numbers are those of the separate layers (batch norm's {@code x * scale + shift}, the
 * LIF kernel, {@link Pooling#maxPool2d}'s first-of-equal winner, batch norm's backward and its plane
 * sums) to the bit. Blocks depend on the shape alone and are split over the pool; each has one
 * writer and its own fixed order, so results do not depend on the number of threads.
 */
public final class PooledLifKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Rows narrower than a vector but at least this wide take one masked vector (AVX-512's 16 lanes:
     * rows of 8 to 15); narrower ones, and every row narrower than AVX2's 8 lanes, go float by float.
     */
    private static final int HALF_ROW = Math.max(8, LANES / 2);

    /** Elements ({@code T x pixels}) a chunk of planes must hold to be worth handing to another core. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 15;
    /** Elements ({@code T x pixels}) of a block's arrays: a few of them fit the core's L2 cache. */
    private static final int BLOCK_ELEMENTS = 1 << 13;
    /** Lane {@code j} takes lane {@code 2j} (mod lanes): the even lanes of a vector in its lower half. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SPECIES, j -> 2 * j % LANES);
    /** Lane {@code j} takes lane {@code 2j + 1} (mod lanes): the odd lanes in the lower half. */
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SPECIES, j -> (2 * j + 1) % LANES);
    /** The upper half of the lanes. */
    private static final VectorMask<Float> UPPER = upperHalf();
    /** Lane {@code j} takes lane {@code j / 2}: the lower half's lanes, each twice. */
    private static final VectorShuffle<Float> LOWER_TWICE = VectorShuffle.fromOp(SPECIES, j -> j / 2);
    /** Lane {@code j} takes lane {@code (lanes + j) / 2}: the upper half's lanes, each twice. */
    private static final VectorShuffle<Float> UPPER_TWICE = VectorShuffle.fromOp(SPECIES, j -> (LANES + j) / 2);
    /** The odd lanes. */
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(SPECIES, 0xAAAA_AAAA_AAAA_AAAAL);
    /**
     * Bytes as many as the float lanes: the winners' codes a vector of windows at a time; null where
     * the platform has no byte vector that short (fewer than 8 float lanes), and the windows are
     * then done one by one.
     */
    private static final VectorSpecies<Byte> CODES =
            LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE)) : null;

    private PooledLifKernel() {}

    private static VectorMask<Float> upperHalf() {
        boolean[] bits = new boolean[LANES];
        for (int j = LANES / 2; j < LANES; j++) {
            bits[j] = true;
        }
        return VectorMask.fromArray(SPECIES, bits, 0);
    }

    /**
     * The shape of a pooled LIF layer: {@code steps} steps of {@code planes} planes of
     * {@code height x width} neurons, the plane {@code p} belonging to channel {@code p mod channels}.
     * The input is {@code [steps, planes, height, width]}, or with {@code repeated} one step's
     * {@code [planes, height, width]} read at every step (direct encoding's repeated stem output).
     * Pooling drops a last odd row or column, as {@link Pooling#maxPool2d} does.
     */
    public record Planes(int steps, int planes, int channels, int height, int width, boolean repeated) {
        public Planes {
            if (steps < 1 || planes < 1 || channels < 1 || planes % channels != 0 || height < 2 || width < 2) {
                throw new IllegalArgumentException("pooled LIF: bad shape " + steps + " steps, " + planes
                        + " planes of " + channels + " channels, " + height + "x" + width);
            }
            if ((long) steps * planes * height * width > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pooled LIF: more than 2^31 neurons");
            }
        }

        public int pixels() {
            return height * width;
        }

        public int outHeight() {
            return height / 2;
        }

        public int outWidth() {
            return width / 2;
        }

        public int outPixels() {
            return outHeight() * outWidth();
        }

        /** Elements of the input: one step's planes when repeated, else all steps'. */
        public int inputSize() {
            return (repeated ? 1 : steps) * planes * pixels();
        }

        /** Neurons of the layer: every step's planes. */
        public int neuronCount() {
            return steps * planes * pixels();
        }

        /** Elements of the pooled output. */
        public int pooledSize() {
            return steps * planes * outPixels();
        }

        /** Planes per block: the block's {@code steps x planes x pixels} within a few tens of kilobytes. */
        int blockPlanes() {
            return Math.max(1, BLOCK_ELEMENTS / (steps * pixels()));
        }

        int blocks() {
            return (planes + blockPlanes() - 1) / blockPlanes();
        }

        private int minBlocksPerChunk() {
            return Math.max(1, MIN_ELEMENTS_PER_CHUNK / (steps * pixels() * blockPlanes()));
        }

        /** Where row {@code r} of a plane sits in the split order (the class comment), in rows. */
        int splitRow(int r) {
            int oh = outHeight();
            return r >= 2 * oh ? r : (r & 1) * oh + (r >> 1);
        }
    }

    /**
     * Forward: {@code X = x * scale[c] + shift[c]} (or {@code x} when {@code scale} is null), the
     * LIF neurons on X, then their output pooled into {@code pooled [steps, planes, H/2, W/2]}.
     *
     * @param winners receives, per pooled output, which of its window's four neurons won (0 top
     *                left, 1 top right, 2 bottom left, 3 bottom right), or null with no backward
     * @return the number of non-zero LIF outputs before pooling (the firing count)
     */
    public static long forward(
            float[] x,
            float[] scale,
            float[] shift,
            Planes shape,
            NeuronConfig config,
            float[] pooled,
            byte[] winners) {
        check("x", x, shape.inputSize());
        check("pooled", pooled, shape.pooledSize());
        if (winners != null && winners.length != shape.pooledSize()) {
            throw new IllegalArgumentException(
                    "pooled LIF: winners has " + winners.length + " elements, expected " + shape.pooledSize());
        }
        checkAffine(scale, shift, shape);
        long[] counts = new long[shape.blocks()];
        Parallel.range(shape.blocks(), shape.minBlocksPerChunk(), (from, to) -> {
            for (int block = from; block < to; block++) {
                counts[block] = forwardBlock(x, scale, shift, shape, config, pooled, winners, block);
            }
        });
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /**
     * Copies the planes {@code [first, last)} of one step of the natural-order {@code from[src ...]}
     * into {@code into[dst ...]} in the split row order, through {@code v * scale[c] + shift[c]} when
     * {@code scale} is not null.
     */
    private static void splitRows(
            float[] from,
            int src,
            float[] into,
            int dst,
            Planes shape,
            int first,
            int last,
            float[] scale,
            float[] shift) {
        int w = shape.width();
        int pixels = shape.pixels();
        for (int plane = first; plane < last; plane++) {
            int in = src + plane * pixels;
            int out = dst + (plane - first) * pixels;
            if (scale != null) {
                int c = plane % shape.channels();
                float sc = scale[c];
                float sh = shift[c];
                for (int r = 0; r < shape.height(); r++) {
                    affineRow(from, in + r * w, into, out + shape.splitRow(r) * w, w, sc, sh);
                }
            } else {
                for (int r = 0; r < shape.height(); r++) {
                    copyRow(from, in + r * w, into, out + shape.splitRow(r) * w, w);
                }
            }
        }
    }

    /**
     * {@code into[b + i] = from[a + i] * sc + sh} for {@code i < w}: whole vectors, the last one
     * ending at the row's end and overlapping the one before (it writes the same values again), so
     * that rows of 14 or 28 floats need no scalar tail.
     */
    private static void affineRow(float[] from, int a, float[] into, int b, int w, float sc, float sh) {
        if (w < LANES && w >= HALF_ROW) {
            // AVX-512 and fmnist-cnn's 14-wide rows: one vector of this species, its lanes past the row
            // masked off. Not a 256-bit species beside it: mixed vector classes make C2 box the vectors
            // of every kernel (docs/performance.md, "Vector boxing, ninth pass").
            var row = SPECIES.indexInRange(0, w);
            FloatVector.fromArray(SPECIES, from, a, row).mul(sc).add(sh).intoArray(into, b, row);
            return;
        }
        if (w < LANES) {
            for (int i = 0; i < w; i++) {
                into[b + i] = from[a + i] * sc + sh;
            }
            return;
        }
        for (int i = 0; ; i += LANES) {
            int at = Math.min(i, w - LANES);
            FloatVector.fromArray(SPECIES, from, a + at).mul(sc).add(sh).intoArray(into, b + at);
            if (at == w - LANES) {
                return;
            }
        }
    }

    /**
     * {@code into[b + i] = from[a + i]} for {@code i < w}, as {@link #affineRow} does it: a call of
     * {@code System.arraycopy} per row of 14 floats cost more than the copy.
     */
    private static void copyRow(float[] from, int a, float[] into, int b, int w) {
        if (w < LANES) {
            System.arraycopy(from, a, into, b, w);
            return;
        }
        for (int i = 0; ; i += LANES) {
            int at = Math.min(i, w - LANES);
            FloatVector.fromArray(SPECIES, from, a + at).intoArray(into, b + at);
            if (at == w - LANES) {
                return;
            }
        }
    }

    /** The inverse of {@link #splitRows} without an affine map: {@code count} planes back into the natural order. */
    private static void joinRows(float[] from, int src, float[] into, int dst, Planes shape, int count) {
        int w = shape.width();
        int pixels = shape.pixels();
        for (int plane = 0; plane < count; plane++) {
            int in = src + plane * pixels;
            int out = dst + plane * pixels;
            for (int r = 0; r < shape.height(); r++) {
                copyRow(from, in + shape.splitRow(r) * w, into, out + r * w, w);
            }
        }
    }

    private static long forwardBlock(
            float[] x,
            float[] scale,
            float[] shift,
            Planes shape,
            NeuronConfig config,
            float[] pooled,
            byte[] winners,
            int block) {
        int steps = shape.steps();
        int pixels = shape.pixels();
        int planes = shape.planes();
        int first = block * shape.blockPlanes();
        int last = Math.min(planes, first + shape.blockPlanes());
        int length = (last - first) * pixels;
        float[] output = Workspace.get(Workspace.Slot.PLANE_OUTPUT, steps * length);
        long fired = fireBlock(x, scale, shift, shape, config, first, last, output, null);
        int run = shape.outPixels();
        for (int t = 0; t < steps; t++) {
            for (int plane = first; plane < last; plane++) {
                pool(output, t * length + (plane - first) * pixels, shape, pooled, (t * planes + plane) * run, winners);
            }
        }
        // The threshold is positive (NeuronConfig), so a neuron that fired outputs 1 or its potential
        // (at least the threshold) and one that did not outputs 0: the non-zero outputs are the
        // firings, counted in the LIF loop instead of in a pass over the block.
        return fired;
    }

    /**
     * The LIF neurons of the planes {@code [first, last)} on their affine input, in the split row
     * order: the spikes into {@code output} and, when not null, the potentials into {@code h}
     * ({@code steps x length} each). Backward calls it again rather than keeping the potentials: it
     * computes the same numbers from the same input, and is cheaper than writing and reading a
     * float per neuron and step through memory. Returns the number of firings.
     */
    private static long fireBlock(
            float[] x,
            float[] scale,
            float[] shift,
            Planes shape,
            NeuronConfig config,
            int first,
            int last,
            float[] output,
            float[] h) {
        int steps = shape.steps();
        int pixels = shape.pixels();
        int planes = shape.planes();
        int length = (last - first) * pixels;
        int inputSteps = shape.repeated() ? 1 : steps;
        float[] input = Workspace.get(Workspace.Slot.PLANE_INPUT, inputSteps * length);
        for (int t = 0; t < inputSteps; t++) {
            splitRows(x, t * planes * pixels, input, t * length, shape, first, last, scale, shift);
        }
        int inputStride = shape.repeated() ? 0 : length;
        return FusedLifKernel.forwardColumns(input, inputStride, steps, length, config, output, h, 0, length);
    }

    /**
     * Pools one plane {@code out[base ...]} (split row order) into {@code pooled[at ...]}, the four
     * neurons of a window compared in corner order with a strict {@code >} (the first of equal
     * values wins, as in {@link Pooling#maxPool2d}); the winning corner into {@code winners[at ...]}
     * unless that is null.
     */
    private static void pool(float[] out, int base, Planes shape, float[] pooled, int at, byte[] winners) {
        int w = shape.width();
        int ow = shape.outWidth();
        int bottom = shape.outHeight() * w;
        int run = shape.outPixels();
        int k = 0;
        if (w % 2 == 0 && (winners == null || CODES != null)) {
            // The top rows are one run with window k at 2k, 2k + 1; the bottom rows the same, later.
            var one = FloatVector.broadcast(SPECIES, 1f);
            var two = FloatVector.broadcast(SPECIES, 2f);
            var three = FloatVector.broadcast(SPECIES, 3f);
            var zero = FloatVector.zero(SPECIES);
            for (; k + LANES <= run; k += LANES) {
                int top = base + 2 * k;
                var t0 = FloatVector.fromArray(SPECIES, out, top);
                var t1 = FloatVector.fromArray(SPECIES, out, top + LANES);
                var b0 = FloatVector.fromArray(SPECIES, out, top + bottom);
                var b1 = FloatVector.fromArray(SPECIES, out, top + bottom + LANES);
                var max = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), UPPER);
                var candidate = t0.rearrange(ODD).blend(t1.rearrange(ODD), UPPER);
                var wins = candidate.compare(VectorOperators.GT, max);
                max = max.blend(candidate, wins);
                var code = zero.blend(one, wins);
                candidate = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), UPPER);
                wins = candidate.compare(VectorOperators.GT, max);
                max = max.blend(candidate, wins);
                code = code.blend(two, wins);
                candidate = b0.rearrange(ODD).blend(b1.rearrange(ODD), UPPER);
                wins = candidate.compare(VectorOperators.GT, max);
                max = max.blend(candidate, wins);
                code = code.blend(three, wins);
                max.intoArray(pooled, at + k);
                if (winners != null) {
                    ((ByteVector) code.convertShape(VectorOperators.F2B, CODES, 0)).intoArray(winners, at + k);
                }
            }
        }
        if (w % 2 == 0) {
            for (; k < run; k++) {
                poolWindow(out, base + 2 * k, bottom, pooled, at + k, winners);
            }
        } else {
            for (int y = 0; y < shape.outHeight(); y++) {
                for (int xo = 0; xo < ow; xo++, k++) {
                    poolWindow(out, base + y * w + 2 * xo, bottom, pooled, at + k, winners);
                }
            }
        }
    }

    /** One window of {@link #pool}: its top left neuron at {@code out[top]}, its bottom row {@code bottom} later. */
    private static void poolWindow(float[] out, int top, int bottom, float[] pooled, int at, byte[] winners) {
        float max = out[top];
        int code = 0;
        if (out[top + 1] > max) {
            max = out[top + 1];
            code = 1;
        }
        if (out[top + bottom] > max) {
            max = out[top + bottom];
            code = 2;
        }
        if (out[top + bottom + 1] > max) {
            max = out[top + bottom + 1];
            code = 3;
        }
        pooled[at] = max;
        if (winners != null) {
            winners[at] = (byte) code;
        }
    }

    /**
     * Where backward's gradient of the LIF input goes: into {@code gradX} itself, added to what it
     * holds ({@code null} planes), or, for batch norm's backward, into {@code gradX} (which holds
     * nothing yet) with the plane sums {@link BatchNormOp#planeSums} computes, of that gradient and
     * of {@code normInput}, into {@code planeSum} and {@code planeDot} (one per plane of the LIF
     * input: {@code steps x planes}, or {@code planes} when repeated).
     */
    public record InputGradient(float[] gradX, float[] normInput, float[] planeSum, float[] planeDot) {
        /** Adds the gradient into {@code gradX}. */
        public static InputGradient addInto(float[] gradX) {
            return new InputGradient(gradX, null, null, null);
        }

        /** Writes the gradient into {@code gradX} and sums it per plane for batch norm's backward. */
        public static InputGradient forNorm(float[] gradX, float[] normInput, float[] planeSum, float[] planeDot) {
            return new InputGradient(gradX, normInput, planeSum, planeDot);
        }

        boolean sums() {
            return planeSum != null;
        }
    }

    /**
     * Backward from the gradient of the pooled output: each window's winner receives {@code 0 + g}
     * (as the pooling's backward adds into a zeroed gradient), every other neuron 0, then the LIF
     * kernel's backward over all steps ({@link LifKernel#backward}, or summed over the steps as in
     * {@link LifKernel#backwardRepeated} when repeated), added into the gradient of the LIF input as
     * {@code target} says (into zeros for batch norm). The same sums in the same order as the
     * separate layers, a block at a time. The potentials are computed again from {@code x},
     * {@code scale} and {@code shift}, which must be what {@link #forward} was given.
     *
     * @param gradPooled the gradient of the pooled output
     * @param winners    what {@link #forward} wrote
     */
    public static void backward(
            float[] gradPooled,
            float[] x,
            float[] scale,
            float[] shift,
            byte[] winners,
            Planes shape,
            NeuronConfig config,
            InputGradient target) {
        check("gradPooled", gradPooled, shape.pooledSize());
        check("x", x, shape.inputSize());
        check("gradX", target.gradX(), shape.inputSize());
        checkAffine(scale, shift, shape);
        if (winners == null || winners.length != shape.pooledSize()) {
            throw new IllegalArgumentException("pooled LIF: winners must have " + shape.pooledSize() + " elements");
        }
        if (target.sums()) {
            check("normInput", target.normInput(), shape.inputSize());
            int sums = shape.inputSize() / shape.pixels();
            check("planeSum", target.planeSum(), sums);
            check("planeDot", target.planeDot(), sums);
        }
        Parallel.range(shape.blocks(), shape.minBlocksPerChunk(), (from, to) -> {
            for (int block = from; block < to; block++) {
                backwardBlock(gradPooled, x, scale, shift, winners, shape, config, target, block);
            }
        });
    }

    private static void backwardBlock(
            float[] gradPooled,
            float[] x,
            float[] scale,
            float[] shift,
            byte[] winners,
            Planes shape,
            NeuronConfig config,
            InputGradient target,
            int block) {
        int steps = shape.steps();
        int pixels = shape.pixels();
        int planes = shape.planes();
        int first = block * shape.blockPlanes();
        int last = Math.min(planes, first + shape.blockPlanes());
        int count = last - first;
        int length = count * pixels;
        int inputSteps = shape.repeated() ? 1 : steps;
        float[] gradOut = Workspace.get(Workspace.Slot.PLANE_OUTPUT, steps * length);
        float[] h = Workspace.get(Workspace.Slot.PLANE_POTENTIALS, steps * length);
        fireBlock(x, scale, shift, shape, config, first, last, gradOut, h);
        // The block's input is used up: its scratch takes the gradient of the LIF input.
        float[] gradX = Workspace.get(Workspace.Slot.PLANE_INPUT, inputSteps * length);
        float[] into = target.gradX();
        // What the LIF backward adds into: nothing for batch norm (its gradient is written; the
        // repeated input's sum over the steps starts from zeros), else what gradX holds.
        boolean accumulate = !target.sums() || shape.repeated();
        if (target.sums() && shape.repeated()) {
            Arrays.fill(gradX, 0, length, 0f);
        } else if (!target.sums()) {
            for (int t = 0; t < inputSteps; t++) {
                splitRows(into, t * planes * pixels, gradX, t * length, shape, first, last, null, null);
            }
        }
        int run = shape.outPixels();
        for (int t = 0; t < steps; t++) {
            for (int plane = first; plane < last; plane++) {
                int at = (t * planes + plane) * run;
                spread(gradPooled, winners, at, shape, gradOut, t * length + (plane - first) * pixels);
            }
        }
        var pass = shape.repeated()
                ? FusedLifKernel.summedOutputGradientPass(gradOut, h, steps, length, config, gradX)
                : FusedLifKernel.outputGradientPass(gradOut, h, steps, length, config, gradX, accumulate);
        FusedLifKernel.backwardColumns(pass, config.surrogate(), 0, length);
        for (int t = 0; t < inputSteps; t++) {
            int dst = t * planes * pixels + first * pixels;
            joinRows(gradX, t * length, into, dst, shape, count);
            if (target.sums()) {
                for (int plane = t * planes + first; plane < t * planes + last; plane++) {
                    BatchNormOp.planeSums(
                            into, target.normInput(), plane, pixels, target.planeSum(), target.planeDot());
                }
            }
        }
    }

    /**
     * The inverse of {@link #pool} for gradients: every neuron of one plane {@code into[base ...]}
     * (split row order) written, its window's {@code 0 + gradPooled[...]} where it won and 0
     * elsewhere (a last odd row or column no window covers: 0).
     */
    private static void spread(float[] gradPooled, byte[] winners, int at, Planes shape, float[] into, int base) {
        int w = shape.width();
        int bottom = shape.outHeight() * w;
        int run = shape.outPixels();
        if (w % 2 != 0 || CODES == null) {
            Arrays.fill(into, base, base + shape.pixels(), 0f);
            for (int y = 0, k = at; y < shape.outHeight(); y++) {
                for (int xo = 0, top = base + y * w; xo < shape.outWidth(); xo++, k++, top += 2) {
                    int code = winners[k];
                    into[top + (code >> 1) * bottom + (code & 1)] = 0f + gradPooled[k];
                }
            }
            return;
        }
        // Window k's neurons at 2k, 2k + 1 of the top and of the bottom run: each corner's
        // gradient (g where it won, else 0) goes to the even or odd lanes of two vectors.
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var two = FloatVector.broadcast(SPECIES, 2f);
        var three = FloatVector.broadcast(SPECIES, 3f);
        int k = 0;
        for (; k + LANES <= run; k += LANES) {
            var g = FloatVector.fromArray(SPECIES, gradPooled, at + k).add(zero);
            var code = (FloatVector)
                    ByteVector.fromArray(CODES, winners, at + k).convertShape(VectorOperators.B2F, SPECIES, 0);
            var topLeft = zero.blend(g, code.compare(VectorOperators.EQ, zero));
            var topRight = zero.blend(g, code.compare(VectorOperators.EQ, one));
            var bottomLeft = zero.blend(g, code.compare(VectorOperators.EQ, two));
            var bottomRight = zero.blend(g, code.compare(VectorOperators.EQ, three));
            int top = base + 2 * k;
            topLeft.rearrange(LOWER_TWICE)
                    .blend(topRight.rearrange(LOWER_TWICE), ODD_LANES)
                    .intoArray(into, top);
            topLeft.rearrange(UPPER_TWICE)
                    .blend(topRight.rearrange(UPPER_TWICE), ODD_LANES)
                    .intoArray(into, top + LANES);
            bottomLeft
                    .rearrange(LOWER_TWICE)
                    .blend(bottomRight.rearrange(LOWER_TWICE), ODD_LANES)
                    .intoArray(into, top + bottom);
            bottomLeft
                    .rearrange(UPPER_TWICE)
                    .blend(bottomRight.rearrange(UPPER_TWICE), ODD_LANES)
                    .intoArray(into, top + bottom + LANES);
        }
        for (; k < run; k++) {
            int code = winners[at + k];
            float g = 0f + gradPooled[at + k];
            int top = base + 2 * k;
            into[top] = code == 0 ? g : 0f;
            into[top + 1] = code == 1 ? g : 0f;
            into[top + bottom] = code == 2 ? g : 0f;
            into[top + bottom + 1] = code == 3 ? g : 0f;
        }
        // A last odd row: no window, no gradient.
        Arrays.fill(into, base + 2 * bottom, base + shape.pixels(), 0f);
    }

    private static void checkAffine(float[] scale, float[] shift, Planes shape) {
        if ((scale == null) != (shift == null)
                || scale != null && (scale.length != shape.channels() || shift.length != shape.channels())) {
            throw new IllegalArgumentException("pooled LIF: scale and shift must both be null or have one per channel");
        }
    }

    private static void check(String name, float[] a, int expected) {
        if (a == null || a.length != expected) {
            throw new IllegalArgumentException("pooled LIF: " + name + " has "
                    + (a == null ? "no array" : a.length + " elements") + ", expected " + expected);
        }
    }
}
