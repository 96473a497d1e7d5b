package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import java.lang.management.ManagementFactory;

/**
 * Runs one cluster task on an executor; a failure fails the Spark task, which Spark then retries.
 * It logs the task's wall-clock time and the CPU time its executor JVM spent meanwhile (the
 * task's own threads, and the JIT compiler and garbage collector working for it): with one task per
 * executor core, their ratio says whether the executor got its cores.
 */
final class TaskRunner {
    private TaskRunner() {}

    static void run(ClusterBackend.Task task) throws Exception {
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        System.err.printf("spikebit: task %s started%n", task.name());
        task.run();
        long cpu = processCpuNanos() - cpuStart;
        System.err.printf(
                "spikebit: task %s done in %.1f s (executor CPU %.1f s)%n",
                task.name(), (System.nanoTime() - start) / 1e9, cpu / 1e9);
    }

    /** The CPU time of this JVM so far, or 0 where the platform does not report it. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime())
                : 0;
    }
}
