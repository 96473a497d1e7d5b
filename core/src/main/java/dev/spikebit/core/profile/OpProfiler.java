package dev.spikebit.core.profile;

import java.lang.management.ManagementFactory;

/**
 * Wall time per {@link OpKind} and phase (forward or backward), exclusive of nested kinds: a
 * convolution's GEMM is counted as GEMM, not as convolution. Recording is confined to the one
 * thread that called {@link #start()} (the thread that drives the steps); work the kernels hand
 * to the pool is inside the caller's interval, so the shares add up to the step's wall time.
 *
 * <p>Beside the wall time it takes the CPU time of the whole process (all threads) over the same
 * intervals ({@link #cpuNanos()}): their ratio is how many cores a kind of work kept busy, and a
 * row near 1 on a two-core machine is a serial section.
 *
 * <p>Off (the default), {@link #time} is one volatile read and returns a shared no-op scope; a
 * backward function is wrapped only while recording ({@code Tensor.result}). Not for use by two drivers at once.
 */
public final class OpProfiler {
    /** Forward (0) or backward (1). */
    public static final int FORWARD = 0;

    public static final int BACKWARD = 1;

    private static final int KINDS = OpKind.values().length;

    private static volatile Thread owner;
    private static final long[][] nanos = new long[KINDS][2];
    private static final long[][] cpu = new long[KINDS][2];
    private static final long[][] driverCpu = new long[KINDS][2];
    /** The recording thread's own CPU clock (exact to the nanosecond where the JVM supports it). */
    private static final java.lang.management.ThreadMXBean THREAD_CLOCK = ManagementFactory.getThreadMXBean();

    private static final long[][] calls = new long[KINDS][2];
    private static final int[] stack = new int[64];
    private static int depth;
    private static long mark;
    private static long cpuMark;
    private static long driverCpuMark;
    /** Phase of the work being timed: backward while a wrapped backward function runs. */
    private static int phase = FORWARD;

    /** Non-zero and total input elements per layer, in the order the layers first reported. */
    private static final java.util.Map<String, long[]> inputCounts = new java.util.LinkedHashMap<>();

    private static final Scope NONE = () -> {};
    private static final Scope POP = OpProfiler::pop;

    private OpProfiler() {}

    /** A timed region; {@link #close()} ends it. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Clears the counters and records on the calling thread from now on. */
    public static void start() {
        for (int k = 0; k < KINDS; k++) {
            nanos[k][0] = nanos[k][1] = cpu[k][0] = cpu[k][1] = calls[k][0] = calls[k][1] = 0;
            driverCpu[k][0] = driverCpu[k][1] = 0;
        }
        depth = 0;
        phase = FORWARD;
        inputCounts.clear();
        owner = Thread.currentThread();
    }

    /** Stops recording and returns the nanoseconds per kind and phase, {@code [kind][phase]}. */
    public static long[][] stop() {
        owner = null;
        long[][] copy = new long[KINDS][];
        for (int k = 0; k < KINDS; k++) {
            copy[k] = nanos[k].clone();
        }
        return copy;
    }

    /**
     * The process's CPU nanoseconds (all threads) inside each kind's intervals since the last
     * {@link #start()}, {@code [kind][phase]}, or zeros where the JVM does not report process CPU
     * time. Read after {@link #stop()}.
     */
    public static long[][] cpuNanos() {
        long[][] copy = new long[KINDS][];
        for (int k = 0; k < KINDS; k++) {
            copy[k] = cpu[k].clone();
        }
        return copy;
    }

    /**
     * The CPU nanoseconds of the recording thread itself inside each kind's intervals,
     * {@code [kind][phase]}. A kernel that splits its work over the pool waits while the pool
     * runs it, so this is the part of the work that ran on one thread: the serial sections (and
     * the calling thread's share of a BLAS call, which computes on it too). Read after
     * {@link #stop()}.
     */
    public static long[][] driverCpuNanos() {
        long[][] copy = new long[KINDS][];
        for (int k = 0; k < KINDS; k++) {
            copy[k] = driverCpu[k].clone();
        }
        return copy;
    }

    /** Whether the calling thread is recording. */
    public static boolean recording() {
        return owner == Thread.currentThread();
    }

    /** Times {@code kind} until the scope closes; nested scopes pause it. */
    public static Scope time(OpKind kind) {
        if (owner != Thread.currentThread()) {
            return NONE;
        }
        long now = System.nanoTime();
        long cpuNow = ProcessCpuClock.nanos();
        long driverNow = THREAD_CLOCK.getCurrentThreadCpuTime();
        if (depth > 0) {
            int top = stack[depth - 1];
            nanos[top >> 1][top & 1] += now - mark;
            cpu[top >> 1][top & 1] += cpuNow - cpuMark;
            driverCpu[top >> 1][top & 1] += driverNow - driverCpuMark;
        }
        stack[depth++] = kind.ordinal() << 1 | phase;
        calls[kind.ordinal()][phase]++;
        mark = now;
        cpuMark = cpuNow;
        driverCpuMark = driverNow;
        return POP;
    }

    private static void pop() {
        long now = System.nanoTime();
        long cpuNow = ProcessCpuClock.nanos();
        long driverNow = THREAD_CLOCK.getCurrentThreadCpuTime();
        int top = stack[--depth];
        nanos[top >> 1][top & 1] += now - mark;
        cpu[top >> 1][top & 1] += cpuNow - cpuMark;
        driverCpu[top >> 1][top & 1] += driverNow - driverCpuMark;
        mark = now;
        cpuMark = cpuNow;
        driverCpuMark = driverNow;
    }

    /**
     * The kind being timed on the calling thread, or {@link OpKind#ELEMENTWISE} outside every
     * scope: the backward of a result made now is timed as this kind.
     */
    public static OpKind currentKind() {
        return depth == 0 ? OpKind.ELEMENTWISE : OpKind.values()[stack[depth - 1] >> 1];
    }

    /**
     * Counts, while recording on the calling thread, {@code nonZero} of {@code total} input elements
     * of the layer described by {@code layer} (the firing density of a layer that takes spikes).
     */
    public static void countInputs(String layer, long nonZero, long total) {
        if (owner != Thread.currentThread()) {
            return;
        }
        long[] counts = inputCounts.computeIfAbsent(layer, k -> new long[2]);
        counts[0] += nonZero;
        counts[1] += total;
    }

    /** The fraction of non-zero inputs per layer counted since {@link #start()}, in first-seen order. */
    public static java.util.Map<String, Double> inputDensities() {
        var out = new java.util.LinkedHashMap<String, Double>();
        inputCounts.forEach((layer, c) -> out.put(layer, c[1] == 0 ? 0.0 : (double) c[0] / c[1]));
        return out;
    }

    /** Runs {@code backward} timed as the backward phase of {@code kind} (nested scopes count as backward too). */
    public static void backward(OpKind kind, Runnable backward) {
        int outer = phase;
        phase = BACKWARD;
        try (var scope = time(kind)) {
            backward.run();
        } finally {
            phase = outer;
        }
    }
}
