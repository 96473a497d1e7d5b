package dev.spikebit.core.ops;

/**
 * How the weight gradient of a convolution is computed. Each path gives the gradient within float
 * rounding of the others; which one is fastest depends on the geometry and on the fraction of
 * non-zero inputs (spikes), so {@link Conv2dOp} chooses per call, at the forward pass, in {@link
 * #choose}.
 *
 * <p>A layer whose input density sits near a limit would flip between two paths from step to
 * step. The flip itself costs little, but each path is a different set of methods for the JIT, and
 * a path taken only now and then stays in the interpreter long into training (a timed run of
 * {@code bench train} once ran at 421 images/s where the median JVM ran at 910). So the choice has
 * a memory per layer ({@link Memory}): the path taken last is kept while the density stays within
 * {@link #HYSTERESIS} of the limit, and {@link WeightGradientWarmUp} compiles the other path at
 * start-up.
 */
public enum WeightGradientPath {
    /** The event-driven sum over the non-zero inputs ({@link SpikeConv}): cheapest on sparse input. */
    EVENTS,
    /**
     * Winograd's F(2x2, 3x3) transposed ({@link WinogradConv}): 3x3, stride 1, padding 1, enough
     * channels, and from {@link WinogradConv#MIN_WEIGHT_GRADIENT_DENSITY} non-zero up.
     */
    WINOGRAD,
    /** im2col + GEMM, a chunk of images at a time: the dense fallback for every geometry. */
    GEMM;

    /**
     * How far, as a fraction of the input, the density must move past a limit before a layer leaves
     * the path it took last. On the Fashion-MNIST CNN the second convolution's input is 29-31%
     * non-zero from step to step, around the 0.3 limit between the event-driven sum and Winograd;
     * near a limit both paths cost about the same (that is why it is the limit), so keeping either
     * within 5 points loses little.
     */
    static final double HYSTERESIS = 0.05;

    /**
     * The path without memory: Winograd where it takes the gradient, else the event-driven sum up
     * to its density limit, else GEMM. {@code nonZero} of {@code size} inputs are not zero.
     */
    static WeightGradientPath byDensity(ConvGeometry geo, int outChannels, long nonZero, long size) {
        if (WinogradConv.takesWeightGradient(geo, outChannels, nonZero, size)) {
            return WINOGRAD;
        }
        if (SpikeConv.supports(geo) && nonZero <= SpikeConv.maxWeightGradientDensity(geo) * size) {
            return EVENTS;
        }
        return GEMM;
    }

    /**
     * The path for this call: {@link #byDensity}, unless {@code previous} (the path this layer took
     * last, null for none) would still be chosen at a density {@link #HYSTERESIS} higher or lower,
     * in which case {@code previous} is kept. So a layer moves from the event-driven sum to
     * Winograd at 0.35 and back at 0.25, not at every crossing of 0.3. Depends only on its
     * arguments: the same inputs give the same sequence of paths in every run.
     */
    static WeightGradientPath choose(
            ConvGeometry geo, int outChannels, long nonZero, long size, WeightGradientPath previous) {
        WeightGradientPath now = byDensity(geo, outChannels, nonZero, size);
        if (previous == null || previous == now) {
            return now;
        }
        long margin = Math.round(HYSTERESIS * size);
        boolean nearPrevious = byDensity(geo, outChannels, Math.max(0, nonZero - margin), size) == previous
                || byDensity(geo, outChannels, Math.min(size, nonZero + margin), size) == previous;
        return nearPrevious ? previous : now;
    }

    /**
     * The weight-gradient path a layer took last, for {@link #choose}: one per convolution layer
     * (the {@code nn} layer holds it), remembered with the geometry it was taken for, so a call on
     * another input size starts afresh. {@link #forget} clears it; the layers do when they are put
     * into training mode, which the trainer does at each epoch's start, so that a run resumed from
     * an epoch's checkpoint takes the same paths, and computes the same bits, as the run it
     * continues.
     *
     * <p>A layer trains on one thread at a time; the field is volatile so that a layer handed from
     * one thread to another (data-parallel replicas) sees the last choice.
     */
    public static final class Memory {
        private record Taken(ConvGeometry geo, int outChannels, WeightGradientPath path) {}

        private volatile Taken last;

        /** The path for this call ({@link WeightGradientPath#choose}), now remembered. */
        WeightGradientPath choose(ConvGeometry geo, int outChannels, long nonZero, long size) {
            WeightGradientPath path =
                    WeightGradientPath.choose(geo, outChannels, nonZero, size, last(geo, outChannels));
            last = new Taken(geo, outChannels, path);
            return path;
        }

        /** The path remembered for this geometry, or null. */
        WeightGradientPath last(ConvGeometry geo, int outChannels) {
            Taken taken = last;
            return taken != null && taken.geo().equals(geo) && taken.outChannels() == outChannels ? taken.path() : null;
        }

        /** Forgets the path taken last: the next call chooses by density alone. */
        public void forget() {
            last = null;
        }
    }
}
