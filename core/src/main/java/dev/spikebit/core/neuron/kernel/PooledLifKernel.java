package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import dev.spikebit.core.ops.BatchNormOp;
import dev.spikebit.core.ops.Pooling;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A LIF layer between a per-channel affine map of its input (batch norm's normalisation, or none)
 * and a 2x2, stride 2 max pooling of its output, computed a block of planes (a plane: one image's
 * channel, all steps) at a time. Per block the affine input, the LIF equations of {@link LifKernel}
 * (the fused kernel's own loops) and the pooling run on arrays of tens of kilobytes that stay in the
 * core's cache, so neither the normalised input nor the full-resolution output is written to
 * memory: forward writes the pooled output, the potentials backward needs and one byte per pooled
 * output naming its window's winner; backward spreads the pooled gradient to the winners, runs the
 * LIF backward and (with batch norm) sums the result per plane, all in the same cache-resident
 * block, and writes the gradient of the LIF input once.
 *
 * <p>Within a plane the kernel keeps the rows split: the even rows (the windows' top rows) one after
 * the other, then the odd rows (their bottom rows), then a last odd row no window covers. The input
 * is copied into that order a row at a time (with the affine map), the LIF loops run over the block
 * as one stretch of neurons, and with an even width the top rows form one run in which window
 * {@code k}'s two neurons sit at {@code 2k} and {@code 2k + 1}: pooling splits two vectors into
 * their even and odd lanes with two lane permutations and compares whole vectors, with no row tails.
 * The potentials are stored in that order too, block after block; only this class reads them.
 *
 * <p>The numbers are those of the separate layers (batch norm's {@code x * scale + shift}, the
 * LIF kernel, {@link Pooling#maxPool2d}'s first-of-equal winner, batch norm's backward and its plane
 * sums) to the bit. Blocks depend on the shape alone and are split over the pool; each has one
 * writer and its own fixed order, so results do not depend on the number of threads.
 */
public final class PooledLifKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
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

        /** Elements of the potentials: every step's planes. */
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
     * @param potentials receives the pre-spike potentials, {@link Planes#neuronCount()} of them in the
     *                   kernel's own order, for {@link #backward}; null when no backward will follow
     * @param winners    receives, per pooled output, which of its window's four neurons won (0 top
     *                   left, 1 top right, 2 bottom left, 3 bottom right), or null with no backward
     * @return the number of non-zero LIF outputs before pooling (the firing count)
     */
    public static long forward(
            float[] x,
            float[] scale,
            float[] shift,
            Planes shape,
            NeuronConfig config,
            float[] pooled,
            float[] potentials,
            byte[] winners) {
        check("x", x, shape.inputSize());
        check("pooled", pooled, shape.pooledSize());
        if (potentials != null) {
            check("potentials", potentials, shape.neuronCount());
        }
        if (winners != null && winners.length != shape.pooledSize()) {
            throw new IllegalArgumentException(
                    "pooled LIF: winners has " + winners.length + " elements, expected " + shape.pooledSize());
        }
        if ((scale == null) != (shift == null)
                || scale != null && (scale.length != shape.channels() || shift.length != shape.channels())) {
            throw new IllegalArgumentException("pooled LIF: scale and shift must both be null or have one per channel");
        }
        long[] counts = new long[shape.blocks()];
        Parallel.range(shape.blocks(), shape.minBlocksPerChunk(), (from, to) -> {
            for (int block = from; block < to; block++) {
                counts[block] = forwardBlock(x, scale, shift, shape, config, pooled, potentials, winners, block);
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
            float[] potentials,
            byte[] winners,
            int block) {
        int steps = shape.steps();
        int pixels = shape.pixels();
        int planes = shape.planes();
        int first = block * shape.blockPlanes();
        int last = Math.min(planes, first + shape.blockPlanes());
        int length = (last - first) * pixels;
        int inputSteps = shape.repeated() ? 1 : steps;
        float[] input = Workspace.get(Workspace.Slot.PLANE_INPUT, inputSteps * length);
        float[] output = Workspace.get(Workspace.Slot.PLANE_OUTPUT, steps * length);
        float[] h = potentials == null ? null : Workspace.get(Workspace.Slot.PLANE_POTENTIALS, steps * length);
        for (int t = 0; t < inputSteps; t++) {
            splitRows(x, t * planes * pixels, input, t * length, shape, first, last, scale, shift);
        }
        int inputStride = shape.repeated() ? 0 : length;
        FusedLifKernel.forwardColumns(input, inputStride, steps, length, config, output, h, 0, length);
        if (h != null) {
            System.arraycopy(h, 0, potentials, steps * first * pixels, steps * length);
        }
        int run = shape.outPixels();
        float[] codes = Workspace.get(Workspace.Slot.PLANE_CODES, run);
        for (int t = 0; t < steps; t++) {
            for (int plane = first; plane < last; plane++) {
                int at = (t * planes + plane) * run;
                pool(output, t * length + (plane - first) * pixels, shape, pooled, at, codes);
                if (winners != null) {
                    for (int k = 0; k < run; k++) {
                        winners[at + k] = (byte) codes[k];
                    }
                }
            }
        }
        return nonZero(output, 0, steps * length);
    }

    /**
     * Pools one plane {@code out[base ...]} (split row order) into {@code pooled[at ...]}, the four
     * neurons of a window compared in corner order with a strict {@code >} (the first of equal
     * values wins, as in {@link Pooling#maxPool2d}); the winning corner into {@code codes}.
     */
    private static void pool(float[] out, int base, Planes shape, float[] pooled, int at, float[] codes) {
        int w = shape.width();
        int ow = shape.outWidth();
        int bottom = shape.outHeight() * w;
        int run = shape.outPixels();
        int k = 0;
        if (w % 2 == 0) {
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
                code.intoArray(codes, k);
            }
        }
        if (w % 2 == 0) {
            for (; k < run; k++) {
                poolWindow(out, base + 2 * k, bottom, pooled, at + k, codes, k);
            }
        } else {
            for (int y = 0; y < shape.outHeight(); y++) {
                for (int xo = 0; xo < ow; xo++, k++) {
                    poolWindow(out, base + y * w + 2 * xo, bottom, pooled, at + k, codes, k);
                }
            }
        }
    }

    /** One window of {@link #pool}: its top left neuron at {@code out[top]}, its bottom row {@code bottom} later. */
    private static void poolWindow(float[] out, int top, int bottom, float[] pooled, int at, float[] codes, int k) {
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
        codes[k] = code;
    }

    private static long nonZero(float[] a, int from, int length) {
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var counts = zero;
        int i = from;
        int to = from + length;
        // Flushed every 2^20 vectors: a lane's count stays exact in a float (below 2^24).
        long n = 0;
        while (i + LANES <= to) {
            int upper = Math.min(to - LANES + 1, i + (LANES << 20));
            for (; i < upper; i += LANES) {
                var v = FloatVector.fromArray(SPECIES, a, i);
                counts = counts.add(zero.blend(one, v.compare(VectorOperators.NE, 0f)));
            }
            n += (long) counts.reduceLanes(VectorOperators.ADD);
            counts = zero;
        }
        for (; i < to; i++) {
            n += a[i] != 0f ? 1 : 0;
        }
        return n;
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
     * separate layers, a block at a time.
     *
     * @param gradPooled the gradient of the pooled output
     * @param potentials what {@link #forward} wrote
     * @param winners    what {@link #forward} wrote
     */
    public static void backward(
            float[] gradPooled,
            float[] potentials,
            byte[] winners,
            Planes shape,
            NeuronConfig config,
            InputGradient target) {
        check("gradPooled", gradPooled, shape.pooledSize());
        check("potentials", potentials, shape.neuronCount());
        check("gradX", target.gradX(), shape.inputSize());
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
                backwardBlock(gradPooled, potentials, winners, shape, config, target, block);
            }
        });
    }

    private static void backwardBlock(
            float[] gradPooled,
            float[] potentials,
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
        float[] gradX = Workspace.get(Workspace.Slot.PLANE_INPUT, inputSteps * length);
        float[] into = target.gradX();
        // The gradient the LIF backward adds into: zeros for batch norm, else what gradX holds.
        for (int t = 0; t < inputSteps; t++) {
            if (target.sums()) {
                Arrays.fill(gradX, t * length, (t + 1) * length, 0f);
            } else {
                splitRows(into, t * planes * pixels, gradX, t * length, shape, first, last, null, null);
            }
        }
        int run = shape.outPixels();
        int w = shape.width();
        int ow = shape.outWidth();
        int bottom = shape.outHeight() * w;
        Arrays.fill(gradOut, 0, steps * length, 0f);
        for (int t = 0; t < steps; t++) {
            for (int plane = first; plane < last; plane++) {
                int base = t * length + (plane - first) * pixels;
                int at = (t * planes + plane) * run;
                for (int y = 0; y < shape.outHeight(); y++) {
                    for (int xo = 0, top = base + y * w; xo < ow; xo++, at++, top += 2) {
                        int code = winners[at];
                        gradOut[top + (code >> 1) * bottom + (code & 1)] = 0f + gradPooled[at];
                    }
                }
            }
        }
        System.arraycopy(potentials, steps * first * pixels, h, 0, steps * length);
        var pass = shape.repeated()
                ? FusedLifKernel.summedOutputGradientPass(gradOut, h, steps, length, config, gradX)
                : FusedLifKernel.outputGradientPass(gradOut, h, steps, length, config, gradX, true);
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

    private static void check(String name, float[] a, int expected) {
        if (a == null || a.length != expected) {
            throw new IllegalArgumentException("pooled LIF: " + name + " has "
                    + (a == null ? "no array" : a.length + " elements") + ", expected " + expected);
        }
    }
}
