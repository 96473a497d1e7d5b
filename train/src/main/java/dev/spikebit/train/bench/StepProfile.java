package dev.spikebit.train.bench;

import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.profile.ProcessCpuClock;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code bench train --profile}: one more run of training steps with {@link OpProfiler} on,
 * printed as the share of the step's wall time per kind of operation and phase, with the garbage
 * collector's pauses (which fall inside whatever operation was running) and the bytes allocated per
 * step beside it.
 */
public final class StepProfile {
    private StepProfile() {}

    /** The measured run: nanoseconds per kind and phase, and the whole run's totals. */
    public record Report(
            long[][] nanos,
            long[][] cpuNanos,
            long[][] driverCpuNanos,
            long wallNanos,
            long runCpuNanos,
            long gcNanos,
            long gcCount,
            long allocatedBytes,
            int steps,
            int batch,
            Map<String, Double> inputDensities) {
        /** Prints the table and the GC, allocation and density lines. */
        public void print(PrintStream out) {
            double step = (double) wallNanos / steps;
            out.printf(
                    "profile: %d steps, %.1f ms per step (%.0f images/s with the profiler on)%n",
                    steps, step / 1e6, steps * (double) batch / (wallNanos / 1e9));
            out.println("| operation | forward ms/step | backward ms/step | share of step | cores busy fwd / bwd "
                    + "| on the driving thread, CPU ms/step fwd / bwd |");
            out.println("|---|---|---|---|---|---|");
            long driverTotal = 0;
            long attributed = 0;
            long attributedCpu = 0;
            for (OpKind kind : OpKind.values()) {
                long[] n = nanos[kind.ordinal()];
                long[] c = cpuNanos[kind.ordinal()];
                long[] d = driverCpuNanos[kind.ordinal()];
                driverTotal += d[OpProfiler.FORWARD] + d[OpProfiler.BACKWARD];
                long both = n[OpProfiler.FORWARD] + n[OpProfiler.BACKWARD];
                attributed += both;
                attributedCpu += c[OpProfiler.FORWARD] + c[OpProfiler.BACKWARD];
                if (both == 0) {
                    continue;
                }
                out.printf(
                        "| %s | %.2f | %.2f | %.1f%% | %s / %s | %.2f / %.2f |%n",
                        kind.label(),
                        n[OpProfiler.FORWARD] / 1e6 / steps,
                        n[OpProfiler.BACKWARD] / 1e6 / steps,
                        100.0 * both / wallNanos,
                        busy(c[OpProfiler.FORWARD], n[OpProfiler.FORWARD]),
                        busy(c[OpProfiler.BACKWARD], n[OpProfiler.BACKWARD]),
                        d[OpProfiler.FORWARD] / 1e6 / steps,
                        d[OpProfiler.BACKWARD] / 1e6 / steps);
            }
            long rest = wallNanos - attributed;
            out.printf(
                    "| autograd bookkeeping and the rest | | | %.1f%% | %s | |%n"
                            + "| **whole step** | | | %.1f ms | %s | %.2f in the rows |%n",
                    100.0 * rest / wallNanos,
                    busy(runCpuNanos - attributedCpu, rest),
                    step / 1e6,
                    busy(runCpuNanos, wallNanos),
                    driverTotal / 1e6 / steps);
            out.printf(
                    "GC: %d collections, %.1f ms per step (%.1f%% of the step, inside the rows above); "
                            + "allocated %.0f MiB per step%n",
                    gcCount,
                    gcNanos / 1e6 / steps,
                    100.0 * gcNanos / wallNanos,
                    allocatedBytes / (double) steps / (1 << 20));
            if (!inputDensities.isEmpty()) {
                out.print("non-zero inputs per layer (the firing density where the input is spikes):");
                String sep = " ";
                for (var e : inputDensities.entrySet()) {
                    out.printf("%s%s %.1f%%", sep, e.getKey(), 100 * e.getValue());
                    sep = "; ";
                }
                out.println();
            }
        }
    }

    /** CPU time over wall time: the cores a kind of work kept busy on average ("-" without either). */
    private static String busy(long cpuNanos, long wallNanos) {
        return cpuNanos <= 0 || wallNanos <= 0 ? "-" : String.format("%.2f", (double) cpuNanos / wallNanos);
    }

    /** Runs {@code steps} calls of {@code step} (one batch of {@code batch} images each) with the profiler on. */
    public static Report measure(Runnable step, int steps, int batch) {
        System.gc();
        long gcTime = gcMillis();
        long gcCount = gcCount();
        long allocated = allocatedBytes();
        OpProfiler.start();
        long start = System.nanoTime();
        long cpuStart = ProcessCpuClock.nanos();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        long wall = System.nanoTime() - start;
        long runCpu = ProcessCpuClock.nanos() - cpuStart;
        long[][] nanos = OpProfiler.stop();
        long[][] cpuNanos = OpProfiler.cpuNanos();
        long[][] driverCpuNanos = OpProfiler.driverCpuNanos();
        Map<String, Double> densities = OpProfiler.inputDensities();
        return new Report(
                nanos,
                cpuNanos,
                driverCpuNanos,
                wall,
                runCpu,
                (gcMillis() - gcTime) * 1_000_000,
                gcCount() - gcCount,
                allocatedBytes() - allocated,
                steps,
                batch,
                densities);
    }

    /** The process's peak resident set size (VmHWM of /proc/self/status), or "n/a" where there is none. */
    public static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    return (kb >> 10) + " MiB";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no such file
        }
        return "n/a";
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    /** Bytes allocated by all live threads so far (the pool's workers included). */
    private static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                ? bean.getTotalThreadAllocatedBytes()
                : 0;
    }
}
