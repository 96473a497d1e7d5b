package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.graph.SignMatrix;
import dev.spikebit.runtime.kernels.Buffers;
import dev.spikebit.runtime.kernels.SignConvKernel;
import dev.spikebit.runtime.kernels.SignLinearKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets the dense kernels of the sign layers compiled before a model needs them. Under
 * {@link ExecutionPath#AUTO} a sign layer runs its dense kernel only on the steps whose input is
 * dense, which on a spiking network can be a step in a few hundred. Run that rarely, the JIT
 * compiles the kernel late or never, and until it does every Vector API operation in it allocates
 * (the interpreter and C1 do not intrinsify them): a call then costs milliseconds instead of a
 * tenth of one, and whether a JVM had compiled it by the time it was measured made the runtime's
 * images/s bimodal (docs/performance.md, "The deployed runtime").
 *
 * <p>So when a model with such a layer is loaded, a daemon thread runs each dense kernel it may take,
 * once per JVM and kernel shape (kernel size, stride and padding of a convolution), on a small
 * synthetic layer, {@value #CALLS} times: enough calls, and loop iterations, for the JIT to compile
 * every method of the kernel. It uses its own buffers and touches nothing of the model; its results
 * are thrown away. The thread is not waited for: a call that comes before the kernel is compiled is
 * as slow as without it, and correct.
 */
final class KernelWarmUp {
    /** Calls per kernel: past the JIT's invocation thresholds for the methods called once per call. */
    static final int CALLS = 3000;
    /** Side of the synthetic input planes, channels of the synthetic layers. */
    private static final int SIDE = 6;

    private static final int IN = 4;
    private static final int OUT = 8;

    /** What has been warmed (or is being warmed) in this JVM: "conv k s p" and "linear". */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    private KernelWarmUp() {}

    /**
     * Starts warming the dense kernels of {@code layers} that this JVM has not warmed yet. Returns the
     * thread doing it, or null when there is nothing new to warm.
     */
    static Thread start(List<Layer> layers) {
        Runnable work = claim(layers);
        if (work == null) {
            return null;
        }
        Thread thread = new Thread(work, "spikebit-kernel-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return thread;
    }

    /**
     * The warm-up of the dense kernels of {@code layers} that this JVM has not claimed yet, now
     * claimed; null when there is none.
     */
    static Runnable claim(List<Layer> layers) {
        List<Runnable> work = new ArrayList<>();
        for (Layer layer : layers) {
            switch (layer) {
                case Layer.SignConv c -> {
                    if (STARTED.add("conv " + c.kernel() + " " + c.stride() + " " + c.padding())) {
                        work.add(() -> convolution(c.kernel(), c.stride(), c.padding()));
                    }
                }
                case Layer.SignLinear l -> {
                    if (STARTED.add("linear")) {
                        work.add(KernelWarmUp::linear);
                    }
                }
                default -> {}
            }
        }
        return work.isEmpty() ? null : () -> work.forEach(Runnable::run);
    }

    /** {@link SignConvKernel#dense} on a synthetic {@value #IN} -> {@value #OUT} layer of this shape. */
    static void convolution(int kernel, int stride, int padding) {
        SplittableRandom rng = new SplittableRandom(kernel * 31L + stride * 7L + padding);
        Layer.SignConv c =
                new Layer.SignConv("warm-up", IN, OUT, kernel, stride, padding, signs(rng, OUT, IN * kernel * kernel));
        int side = Math.max(SIDE, kernel);
        float[] x = spikes(rng, IN * side * side);
        int outSide = (side + 2 * padding - kernel) / stride + 1;
        float[] out = new float[OUT * outSide * outSide + Buffers.SLACK];
        float[] scratch = new float[SignConvKernel.denseScratch(c, side, side)];
        int[] offsets = SignConvKernel.rowTableOffsets(c, side, side);
        for (int i = 0; i < CALLS; i++) {
            SignConvKernel.dense(c, x, 0, side, side, out, 0, scratch, offsets);
        }
    }

    /** {@link SignLinearKernel#dense} on a synthetic layer. */
    static void linear() {
        SplittableRandom rng = new SplittableRandom(1);
        int in = 8 * SIDE * SIDE;
        Layer.SignLinear l = new Layer.SignLinear("warm-up", in, OUT, signs(rng, OUT, in));
        float[] x = spikes(rng, in);
        float[] out = new float[OUT + Buffers.SLACK];
        for (int i = 0; i < CALLS; i++) {
            SignLinearKernel.dense(l, x, 0, out, 0);
        }
    }

    private static SignMatrix signs(SplittableRandom rng, int rows, int rowLength) {
        byte[] bits = new byte[rows * PackedSigns.rowBytes(rowLength)];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) rng.nextInt(256);
        }
        return SignMatrix.ofRows(rows, rowLength, bits);
    }

    /** Half the values zero, the rest in (0, 1), with {@link Buffers#SLACK} after them. */
    private static float[] spikes(SplittableRandom rng, int size) {
        float[] x = new float[size + Buffers.SLACK];
        for (int i = 0; i < size; i++) {
            x[i] = rng.nextBoolean() ? 0f : (float) rng.nextDouble();
        }
        return x;
    }
}
