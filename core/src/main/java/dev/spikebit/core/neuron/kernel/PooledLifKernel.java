package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import dev.spikebit.core.ops.Pooling;
import java.util.Arrays;
import java.util.function.IntConsumer;
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
 * naming its window's winner; backward rebuilds the plane's output gradient from the pooled one
 * and those bytes and writes the input gradient.
 *
 * <p>The numbers are those of the separate layers (batch norm's {@code x * scale + shift}, the
 * LIF kernel, {@link Pooling#maxPool2d}'s first-of-equal winner) to the bit. Planes are split over
 * the pool; each plane has one writer and its own fixed order, so results do not depend on the
 * number of threads.
 */
public final class PooledLifKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
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
     * @param potentials receives the pre-spike potentials {@code [steps, planes, H, W]}, or null
     *                   when no backward will follow
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
        int length = steps * pixels;
        float[] input = Workspace.get(Workspace.Slot.PLANE_INPUT, length);
        float[] output = Workspace.get(Workspace.Slot.PLANE_OUTPUT, length);
        float[] h = potentials == null ? null : Workspace.get(Workspace.Slot.PLANE_POTENTIALS, length);
        int xStep = shape.repeated() ? 0 : planes * pixels;
        for (int t = 0; t < steps; t++) {
            int src = t * xStep + plane * pixels;
            int dst = t * pixels;
            if (scale == null) {
                System.arraycopy(x, src, input, dst, pixels);
            } else {
                int c = plane % shape.channels();
                float sc = scale[c];
                float sh = shift[c];
                for (int p = 0; p < pixels; p++) {
                    input[dst + p] = x[src + p] * sc + sh;
                }
            }
        }
        FusedLifKernel.forwardColumns(input, pixels, steps, pixels, config, output, h, 0, pixels);
        if (h != null) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(h, t * pixels, potentials, (t * planes + plane) * pixels, pixels);
            }
        }
        int outPixels = shape.outPixels();
        int oh = shape.outHeight();
        int ow = shape.outWidth();
        int w = shape.width();
        // Room for the whole-vector stores of the pooling kernel past the last output.
        float[] pooledPlane = Workspace.get(Workspace.Slot.PLANE_POOLED, outPixels);
        int[] argmax = Workspace.ints(Workspace.Slot.PLANE_POOLED, outPixels);
        for (int t = 0; t < steps; t++) {
            Pooling.maxPool2x2Plane(output, t * pixels, w, pooledPlane, argmax, 0, oh, ow);
            int at = (t * planes + plane) * outPixels;
            System.arraycopy(pooledPlane, 0, pooled, at, outPixels);
            if (winners != null) {
                for (int y = 0, k = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++, k++) {
                        int d = argmax[k] - (t * pixels + 2 * y * w + 2 * xo); // 0, 1, w or w + 1
                        int row = (w - 1 - d) >>> 31;
                        winners[at + k] = (byte) (row << 1 | (d - row * w));
                    }
                }
            }
        }
        return nonZero(output, length);
    }

    private static long nonZero(float[] a, int length) {
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var counts = zero;
        int i = 0;
        // A lane counts at most length / lanes ones: exact in a float below 2^24.
        for (int upper = SPECIES.loopBound(length); i < upper; i += SPECIES.length()) {
            var v = FloatVector.fromArray(SPECIES, a, i);
            counts = counts.add(zero.blend(one, v.compare(VectorOperators.NE, 0f)));
        }
        long n = (long) counts.reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            n += a[i] != 0f ? 1 : 0;
        }
        return n;
    }

    /**
     * Backward of {@link #forward}: from the gradient of the pooled output to the gradient of the
     * LIF input X (not of the affine map's input: a caller that had one applies its backward).
     *
     * @param gradPooled the gradient of the pooled output
     * @param potentials and {@code winners}: what forward wrote
     * @param gradX      receives {@code dL/dX} in the input's layout ({@code [planes, H, W]} summed
     *                   over the steps when repeated)
     * @param accumulate add into {@code gradX} instead of overwriting it
     * @param planeDone  called with each plane once its part of {@code gradX} is final (on the
     *                   thread that computed it), or null
     */
    public static void backward(
            float[] gradPooled,
            float[] potentials,
            byte[] winners,
            Planes shape,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate,
            IntConsumer planeDone) {
        check("gradPooled", gradPooled, shape.pooledSize());
        check("potentials", potentials, shape.neuronCount());
        check("gradX", gradX, shape.inputSize());
        if (winners == null || winners.length != shape.pooledSize()) {
            throw new IllegalArgumentException("pooled LIF: winners must have " + shape.pooledSize() + " elements");
        }
        Parallel.range(shape.planes(), shape.minPlanesPerChunk(), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                backwardPlane(gradPooled, potentials, winners, shape, config, gradX, accumulate, plane);
                if (planeDone != null) {
                    planeDone.accept(plane);
                }
            }
        });
    }

    private static void backwardPlane(
            float[] gradPooled,
            float[] potentials,
            byte[] winners,
            Planes shape,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate,
            int plane) {
        int steps = shape.steps();
        int pixels = shape.pixels();
        int planes = shape.planes();
        int length = steps * pixels;
        float[] gradOut = Workspace.get(Workspace.Slot.PLANE_INPUT, length);
        float[] gradIn = Workspace.get(Workspace.Slot.PLANE_OUTPUT, length);
        float[] h = Workspace.get(Workspace.Slot.PLANE_POTENTIALS, length);
        Arrays.fill(gradOut, 0, length, 0f);
        int w = shape.width();
        int oh = shape.outHeight();
        int ow = shape.outWidth();
        int outPixels = shape.outPixels();
        for (int t = 0; t < steps; t++) {
            System.arraycopy(potentials, (t * planes + plane) * pixels, h, t * pixels, pixels);
            int at = (t * planes + plane) * outPixels;
            for (int y = 0, k = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++, k++) {
                    int code = winners[at + k];
                    int pos = t * pixels + (2 * y + (code >> 1)) * w + 2 * xo + (code & 1);
                    // As the pooling backward adds into a zeroed gradient (0 + -0 is +0).
                    gradOut[pos] = 0f + gradPooled[at + k];
                }
            }
        }
        FusedLifKernel.backwardColumns(
                FusedLifKernel.outputGradientPass(gradOut, h, steps, pixels, config, gradIn),
                config.surrogate(),
                0,
                pixels);
        if (shape.repeated()) {
            int base = plane * pixels;
            for (int p = 0; p < pixels; p++) {
                float sum = accumulate ? gradX[base + p] : 0f;
                // Last step first, as the LIF kernel's repeated backward adds them.
                for (int t = steps - 1; t >= 0; t--) {
                    sum += gradIn[t * pixels + p];
                }
                gradX[base + p] = sum;
            }
        } else {
            for (int t = 0; t < steps; t++) {
                int base = (t * planes + plane) * pixels;
                int src = t * pixels;
                if (accumulate) {
                    for (int p = 0; p < pixels; p++) {
                        gradX[base + p] += gradIn[src + p];
                    }
                } else {
                    for (int p = 0; p < pixels; p++) {
                        gradX[base + p] = 0f + gradIn[src + p];
                    }
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
