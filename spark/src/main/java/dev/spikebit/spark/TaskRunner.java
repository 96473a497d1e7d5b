package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import java.io.Serializable;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs one cluster task on an executor; a failure fails the Spark task, which Spark then retries.
 * It measures what the task cost its executor JVM ({@link Cost}), logs it there and returns it to
 * the driver, which sums up where a cluster run's time went.
 */
final class TaskRunner {
    private TaskRunner() {}

    /**
     * What one task cost its executor JVM: with one task per executor core, CPU time close to the
     * wall-clock time says the executor had its core.
     *
     * @param name         the task's name
     * @param executor     the executor's JVM (process id and host)
     * @param wallSeconds  wall-clock time of the task
     * @param cpuSeconds   CPU time the whole executor JVM spent meanwhile (the task's threads, and
     *                     the JIT compiler and garbage collector working for it)
     * @param jitSeconds   time the JIT compilers spent meanwhile
     * @param gcSeconds    time the garbage collectors spent meanwhile
     * @param cpuBefore    CPU time the executor JVM had spent before the task began (its start-up,
     *                     Spark's executor and the tasks it ran before)
     */
    record Cost(
            String name,
            String executor,
            double wallSeconds,
            double cpuSeconds,
            double jitSeconds,
            double gcSeconds,
            double cpuBefore)
            implements Serializable {}

    static Cost run(ClusterBackend.Task task) throws Exception {
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        long jitStart = jitMillis();
        long gcStart = gcMillis();
        System.err.printf("spikebit: task %s started%n", task.name());
        task.run();
        Cost cost = new Cost(
                task.name(),
                ManagementFactory.getRuntimeMXBean().getName(),
                (System.nanoTime() - start) / 1e9,
                (processCpuNanos() - cpuStart) / 1e9,
                (jitMillis() - jitStart) / 1e3,
                (gcMillis() - gcStart) / 1e3,
                cpuStart / 1e9);
        System.err.printf(
                "spikebit: task %s done in %.1f s (executor CPU %.1f s; JIT %.1f s, GC %.1f s; %.1f CPU-s before it)%n",
                cost.name(),
                cost.wallSeconds(),
                cost.cpuSeconds(),
                cost.jitSeconds(),
                cost.gcSeconds(),
                cost.cpuBefore());
        return cost;
    }

    /** The CPU time of this JVM so far, or 0 where the platform does not report it. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime())
                : 0;
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
