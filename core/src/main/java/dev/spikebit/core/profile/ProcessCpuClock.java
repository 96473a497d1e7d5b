package dev.spikebit.core.profile;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;

/**
 * The CPU time of the whole process, all threads (the pool's, OpenBLAS's, the JIT's and the GC's
 * included): on a machine shared with other work it shows what a piece of work cost better than
 * the wall clock does. The profiler, the benchmarks and the Spark tasks all read this one clock.
 */
public final class ProcessCpuClock {
    /** {@code clock_gettime}, or null where it cannot be called. */
    private static final MethodHandle CLOCK_GETTIME = clockGettime();
    /** Linux's {@code CLOCK_PROCESS_CPUTIME_ID}. */
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;

    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean bean
                    ? bean
                    : null;

    private ProcessCpuClock() {}

    /**
     * CPU time of the process so far, in nanoseconds (0 where unknown). On Linux from
     * {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)}, exact to the nanosecond; the management
     * bean's figure, the fallback, counts in clock ticks (10 ms), too coarse for one operation.
     */
    public static long nanos() {
        if (CLOCK_GETTIME != null) {
            MemorySegment ts = TIMESPEC.get();
            try {
                int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, ts);
                if (rc == 0) {
                    return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
                }
            } catch (Throwable e) {
                // fall back to the management bean
            }
        }
        return OS == null ? 0 : Math.max(0, OS.getProcessCpuTime());
    }

    private static MethodHandle clockGettime() {
        if (!System.getProperty("os.name", "").startsWith("Linux")
                || ValueLayout.JAVA_LONG.byteSize() != 8
                || !System.getProperty("os.arch", "").matches("amd64|x86_64|aarch64")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup()
                    .find("clock_gettime")
                    .map(f -> linker.downcallHandle(
                            f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
