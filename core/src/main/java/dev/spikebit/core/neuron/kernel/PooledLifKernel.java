package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import dev.spikebit.core.ops.Pooling;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A LIF layer between a per-channel affine map of its input (batch norm's normalisation, or none)
 * and a 2x2, stride 2 max pooling of its output, computed one plane (one image's channel, all
 * steps) at a time. Per plane the affine input, the LIF equations of {@link LifKernel} (the fused
 * kernel's own loops) and the pooling run on arrays of a few kilobytes that stay in the core's
 * cache, so neither the normalised input nor the full-resolution output is written to memory:
 * forward writes the pooled output, the potentials backward needs and one byte per pooled output
 * naming its window's winner. Within a plane the kernel keeps the neurons in its own order: the
 * windows' four corners as four runs (top left, top right, bottom left, bottom right, each in the
 * pooled output's order), then the neurons no window covers (a last odd column, then a last odd
 * row), so that pooling compares four vectors lane by lane with no shuffles and no row tails.
 * Backward is the pooling's backward ({@link #spreadGradient}) followed by the LIF kernel's own
 * backward over the whole layer, which is why the potentials are stored in the natural order.
 *
 * <p>The numbers are those of the separate layers (batch norm's {@code x * scale + shift}, the
 * LIF kernel, {@link Pooling#maxPool2d}'s first-of-equal winner) to the bit. Planes are split over
 * the pool; each plane has one writer and its own fixed order, so results do not depend on the
 * number of threads.
 */
public final class PooledLifKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Elements ({@code T x pixels}) a chunk of planes must hold to be worth handing to another core. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 15;

    private PooledLifKernel() {}

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

        /**
         * Where a step begins in the per-plane scratch: the pixels rounded up to whole vectors, so
         * that the LIF loops run on vectors alone (a plane of 14x14 would otherwise leave 4 neurons
         * per step to the scalar tail, which measured as slow as all the vectors in the backward).
         * The padding neurons get input 0 and output gradient 0 and are never read back.
         */
        int stride() {
            return (pixels() + LANES - 1) / LANES * LANES;
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

        private int minPlanesPerChunk() {
            return Math.max(1, MIN_ELEMENTS_PER_CHUNK / (steps * pixels()));
        }
    }

    /**
     * Forward: {@code X = x * scale[c] + shift[c]} (or {@code x} when {@code scale} is null), the
     * LIF neurons on X, then their output pooled into {@code pooled [steps, planes, H/2, W/2]}.
     *
     * @param potentials receives the pre-spike potentials {@code [steps, planes, H, W]} (the LIF
     *                   kernel's layout, for its backward), or null when no backward will follow
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
        long[] counts = new long[shape.planes()];
        Parallel.range(shape.planes(), shape.minPlanesPerChunk(), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                counts[plane] = forwardPlane(x, scale, shift, shape, config, pooled, potentials, winners, plane);
            }
        });
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /**
     * Copies the plane {@code x[src ...]} (natural order) into {@code into[dst ...]} in the kernel's
     * order (the class comment), through {@code v * sc + sh} when {@code affine}.
     */
    private static void gather(
            float[] x, int src, float[] into, int dst, Planes shape, boolean affine, float sc, float sh) {
        int w = shape.width();
        int oh = shape.outHeight();
        int ow = shape.outWidth();
        int run = shape.outPixels();
        for (int y = 0; y < oh; y++) {
            for (int dy = 0; dy < 2; dy++) {
                int row = src + (2 * y + dy) * w;
                int left = dst + 2 * dy * run + y * ow;
                int right = left + run;
                if (affine) {
                    for (int xo = 0; xo < ow; xo++) {
                        into[left + xo] = x[row + 2 * xo] * sc + sh;
                        into[right + xo] = x[row + 2 * xo + 1] * sc + sh;
                    }
                } else {
                    for (int xo = 0; xo < ow; xo++) {
                        into[left + xo] = x[row + 2 * xo];
                        into[right + xo] = x[row + 2 * xo + 1];
                    }
                }
            }
        }
        int k = dst + 4 * run;
        if (w % 2 != 0) {
            for (int row = 0; row < 2 * oh; row++) {
                float v = x[src + row * w + w - 1];
                into[k++] = affine ? v * sc + sh : v;
            }
        }
        if (shape.height() % 2 != 0) {
            for (int col = 0, at = src + (shape.height() - 1) * w; col < w; col++) {
                float v = x[at + col];
                into[k++] = affine ? v * sc + sh : v;
            }
        }
    }

    /** Copies {@code from[src ...]} (the kernel's order) into the plane {@code into[dst ...]} (natural order). */
    private static void scatter(float[] from, int src, float[] into, int dst, Planes shape) {
        int w = shape.width();
        int oh = shape.outHeight();
        int ow = shape.outWidth();
        int run = shape.outPixels();
        for (int y = 0; y < oh; y++) {
            for (int dy = 0; dy < 2; dy++) {
                int row = dst + (2 * y + dy) * w;
                int left = src + 2 * dy * run + y * ow;
                int right = left + run;
                for (int xo = 0; xo < ow; xo++) {
                    into[row + 2 * xo] = from[left + xo];
                    into[row + 2 * xo + 1] = from[right + xo];
                }
            }
        }
        int k = src + 4 * run;
        if (w % 2 != 0) {
            for (int row = 0; row < 2 * oh; row++) {
                into[dst + row * w + w - 1] = from[k++];
            }
        }
        if (shape.height() % 2 != 0) {
            for (int col = 0, at = dst + (shape.height() - 1) * w; col < w; col++) {
                into[at + col] = from[k++];
            }
        }
    }

    private static long forwardPlane(
            float[] x,
            float[] scale,
            float[] shift,
            Planes shape,
            NeuronConfig config,
            float[] pooled,
            float[] potentials,
            byte[] winners,
            int plane) {
        int steps = shape.steps();
        int pixels = shape.pixels();
        int planes = shape.planes();
        int stride = shape.stride();
        int length = steps * stride;
        float[] input = Workspace.get(Workspace.Slot.PLANE_INPUT, length);
        float[] output = Workspace.get(Workspace.Slot.PLANE_OUTPUT, length);
        float[] h = potentials == null ? null : Workspace.get(Workspace.Slot.PLANE_POTENTIALS, length);
        int xStep = shape.repeated() ? 0 : planes * pixels;
        boolean affine = scale != null;
        int c = plane % shape.channels();
        float sc = affine ? scale[c] : 1f;
        float sh = affine ? shift[c] : 0f;
        for (int t = 0; t < steps; t++) {
            if (t > 0 && shape.repeated()) {
                System.arraycopy(input, 0, input, t * stride, stride);
            } else {
                gather(x, t * xStep + plane * pixels, input, t * stride, shape, affine, sc, sh);
                Arrays.fill(input, t * stride + pixels, (t + 1) * stride, 0f);
            }
        }
        FusedLifKernel.forwardColumns(input, stride, steps, stride, config, output, h, 0, stride);
        if (h != null) {
            // In the natural order, where the LIF kernel's backward reads them.
            for (int t = 0; t < steps; t++) {
                scatter(h, t * stride, potentials, (t * planes + plane) * pixels, shape);
            }
        }
        int run = shape.outPixels();
        float[] codes = Workspace.get(Workspace.Slot.PLANE_CODES, run);
        for (int t = 0; t < steps; t++) {
            int at = (t * planes + plane) * run;
            poolRuns(output, t * stride, run, pooled, at, codes);
            if (winners != null) {
                for (int k = 0; k < run; k++) {
                    winners[at + k] = (byte) codes[k];
                }
            }
        }
        long fired = 0;
        for (int t = 0; t < steps; t++) {
            fired += nonZero(output, t * stride, pixels);
        }
        return fired;
    }

    /**
     * The max of the four runs {@code out[base + corner * run + k]} into {@code pooled[at + k]},
     * compared in corner order with a strict {@code >} (the first of equal values wins, as in
     * {@link Pooling#maxPool2d}); the winning corner into {@code codes[k]}.
     */
    private static void poolRuns(float[] out, int base, int run, float[] pooled, int at, float[] codes) {
        var one = FloatVector.broadcast(SPECIES, 1f);
        var two = FloatVector.broadcast(SPECIES, 2f);
        var three = FloatVector.broadcast(SPECIES, 3f);
        var zero = FloatVector.zero(SPECIES);
        int k = 0;
        for (int upper = SPECIES.loopBound(run); k < upper; k += SPECIES.length()) {
            var max = FloatVector.fromArray(SPECIES, out, base + k);
            var code = zero;
            var candidate = FloatVector.fromArray(SPECIES, out, base + run + k);
            var wins = candidate.compare(VectorOperators.GT, max);
            max = max.blend(candidate, wins);
            code = code.blend(one, wins);
            candidate = FloatVector.fromArray(SPECIES, out, base + 2 * run + k);
            wins = candidate.compare(VectorOperators.GT, max);
            max = max.blend(candidate, wins);
            code = code.blend(two, wins);
            candidate = FloatVector.fromArray(SPECIES, out, base + 3 * run + k);
            wins = candidate.compare(VectorOperators.GT, max);
            max = max.blend(candidate, wins);
            code = code.blend(three, wins);
            max.intoArray(pooled, at + k);
            code.intoArray(codes, k);
        }
        for (; k < run; k++) {
            float max = out[base + k];
            int code = 0;
            for (int corner = 1; corner < 4; corner++) {
                float candidate = out[base + corner * run + k];
                if (candidate > max) {
                    max = candidate;
                    code = corner;
                }
            }
            pooled[at + k] = max;
            codes[k] = code;
        }
    }

    private static long nonZero(float[] a, int from, int length) {
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var counts = zero;
        int i = from;
        int to = from + length;
        // A lane counts at most length / lanes ones: exact in a float below 2^24.
        for (int upper = from + SPECIES.loopBound(length); i < upper; i += SPECIES.length()) {
            var v = FloatVector.fromArray(SPECIES, a, i);
            counts = counts.add(zero.blend(one, v.compare(VectorOperators.NE, 0f)));
        }
        long n = (long) counts.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            n += a[i] != 0f ? 1 : 0;
        }
        return n;
    }

    /**
     * The first half of backward: the gradient of the LIF output from that of the pooled output,
     * {@code gradOut [steps, planes, H, W]} in the natural order, each window's winner receiving
     * {@code 0 + g} (as the pooling's backward adds into a zeroed gradient, so -0 becomes +0) and
     * every other neuron 0. Every element of {@code gradOut} is written, so it needs no clearing.
     * The LIF kernel's backward ({@link LifKernel#backward}, or {@link LifKernel#backwardRepeated}
     * when repeated) then takes it with the potentials {@link #forward} wrote: that half streams
     * over the whole layer on all cores, which measured faster than running it plane by plane.
     *
     * @param gradPooled the gradient of the pooled output
     * @param winners    what forward wrote
     */
    public static void spreadGradient(float[] gradPooled, byte[] winners, Planes shape, float[] gradOut) {
        check("gradPooled", gradPooled, shape.pooledSize());
        check("gradOut", gradOut, shape.neuronCount());
        if (winners == null || winners.length != shape.pooledSize()) {
            throw new IllegalArgumentException("pooled LIF: winners must have " + shape.pooledSize() + " elements");
        }
        int planes = shape.planes();
        int pixels = shape.pixels();
        int run = shape.outPixels();
        int w = shape.width();
        int ow = shape.outWidth();
        int oh = shape.outHeight();
        int planeSteps = shape.steps() * planes;
        Parallel.range(planeSteps, shape.minPlanesPerChunk() * shape.steps(), (from, to) -> {
            for (int tp = from; tp < to; tp++) {
                int base = tp * pixels;
                int at = tp * run;
                Arrays.fill(gradOut, base, base + pixels, 0f);
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0, k = at + y * ow; xo < ow; xo++, k++) {
                        int code = winners[k];
                        gradOut[base + (2 * y + (code >> 1)) * w + 2 * xo + (code & 1)] = 0f + gradPooled[k];
                    }
                }
            }
        });
    }

    private static void check(String name, float[] a, int expected) {
        if (a == null || a.length != expected) {
            throw new IllegalArgumentException("pooled LIF: " + name + " has "
                    + (a == null ? "no array" : a.length + " elements") + ", expected " + expected);
        }
    }
}
