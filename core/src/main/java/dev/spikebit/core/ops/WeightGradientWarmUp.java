package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets a convolution's other weight-gradient path compiled before the layer takes it. A layer
 * whose input density nears a limit between two paths ({@link WeightGradientPath}) takes one for a
 * while and then the other; the first calls of the path not taken yet run in the interpreter,
 * where every Vector API operation allocates, and it takes a few more for the JIT to compile its
 * methods: seconds of a training run at a fraction of its speed, which made {@code bench train}'s
 * timed runs differ two-fold between JVMs (docs/performance.md).
 *
 * <p>So when a layer's density comes within {@link #REACH} of a limit, a daemon thread of low
 * priority runs the path on the other side of it, once per JVM and layer geometry, {@value
 * #CALLS} times on {@value #IMAGES} synthetic images of the layer's shape and density. It runs
 * every loop on its own thread ({@link Parallel#serially}), so it takes none of the pool's threads
 * and, scratch arrays being per thread, none of the model's scratch arrays; it writes only its own
 * arrays and its results are thrown away: the model's results do not change. It is not waited
 * for: a call before the path is compiled is as slow as without it, and correct. The paths warmed
 * are the event-driven sum and Winograd; im2col + GEMM shares its unfolding and its GEMM with the
 * dense forward pass, which runs at every step, and a native GEMM library is not called from a
 * second thread here.
 *
 * <p>{@code -Dspikebit.warmup=false} turns it off ({@value #PROPERTY}), to measure without it.
 */
final class WeightGradientWarmUp {
    /** The system property that turns the warm-up off. */
    static final String PROPERTY = "spikebit.warmup";
    /**
     * Calls per path: past the JIT's thresholds for the methods called once per call (each call's
     * loops make their methods hot sooner).
     */
    static final int CALLS = 200;
    /** Synthetic images per call: a group of Winograd's weight-gradient sum and then some. */
    static final int IMAGES = 24;
    /**
     * How near a limit, as a fraction of the input, a layer's density comes before the path beyond
     * it is warmed: twice the hysteresis, so the warm-up starts well before a switch.
     */
    static final double REACH = 2 * WeightGradientPath.HYSTERESIS;

    private record Claim(WeightGradientPath path, ConvGeometry geo, int outChannels) {}

    /** What has been warmed, or is being warmed, in this JVM. */
    private static final Set<Claim> STARTED = ConcurrentHashMap.newKeySet();

    private WeightGradientWarmUp() {}

    /**
     * Starts warming the weight-gradient paths this layer would take within {@link #REACH} of its
     * input's density ({@code nonZero} of {@code size} inputs), other than {@code taken}, that this
     * JVM has not warmed for the geometry yet. Returns the thread, or null when there is nothing to
     * warm.
     */
    static Thread start(ConvGeometry geo, int outChannels, WeightGradientPath taken, long nonZero, long size) {
        List<WeightGradientPath> paths = claim(geo, outChannels, taken, nonZero, size);
        if (paths.isEmpty()) {
            return null;
        }
        double density = (double) nonZero / Math.max(1, size);
        Thread thread =
                new Thread(() -> warm(geo, outChannels, paths, density, CALLS), "spikebit-weight-gradient-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return thread;
    }

    /** The paths {@link #start} would warm, now claimed. */
    static List<WeightGradientPath> claim(
            ConvGeometry geo, int outChannels, WeightGradientPath taken, long nonZero, long size) {
        if (!enabled()) {
            return List.of();
        }
        long reach = Math.round(REACH * size);
        Set<WeightGradientPath> near = EnumSet.of(
                WeightGradientPath.byDensity(geo, outChannels, Math.max(0, nonZero - reach), size),
                WeightGradientPath.byDensity(geo, outChannels, Math.min(size, nonZero + reach), size));
        List<WeightGradientPath> paths = new ArrayList<>();
        for (WeightGradientPath p : near) {
            if (p != taken && p != WeightGradientPath.GEMM && STARTED.add(new Claim(p, geo, outChannels))) {
                paths.add(p);
            }
        }
        return paths;
    }

    /** False when {@value #PROPERTY} is {@code false}. */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * Runs each of {@code paths} {@code calls} times on {@value #IMAGES} synthetic images of {@code
     * geo} with about {@code density} of the inputs not zero, on the calling thread only.
     */
    static void warm(ConvGeometry geo, int outChannels, List<WeightGradientPath> paths, double density, int calls) {
        SplittableRandom rng = new SplittableRandom(geo.hashCode() * 31L + outChannels);
        float[] x = new float[IMAGES * geo.channels() * geo.inPixels()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < density ? (float) rng.nextDouble() : 0f;
        }
        float[] g = new float[IMAGES * outChannels * geo.outPixels()];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (rng.nextDouble() - 0.5);
        }
        float[] gw = new float[outChannels * geo.patchSize()];
        // Training takes Winograd's weight gradient alone or, when the input needs a gradient too,
        // in one pass with the input gradient: both are warmed.
        float[] w = paths.contains(WeightGradientPath.WINOGRAD) ? new float[gw.length] : null;
        float[] gx = w != null ? new float[x.length] : null;
        Parallel.serially(() -> {
            for (int i = 0; i < calls; i++) {
                for (WeightGradientPath p : paths) {
                    Conv2dOp.weightGradient(p, geo, x, g, IMAGES, outChannels, IMAGES, gw);
                    if (p == WeightGradientPath.WINOGRAD) {
                        WinogradConv.bothGradients(geo, x, g, w, IMAGES, outChannels, gx, gw);
                    }
                }
            }
        });
    }
}
