package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.core.profile.ProcessCpuClock;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
     * @param jitSeconds   CPU time of the JIT compiler threads meanwhile (NaN where unknown)
     * @param gcSeconds    CPU time of the garbage collector threads and the VM thread meanwhile
     *                     (NaN where unknown)
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
        long cpuStart = ProcessCpuClock.nanos();
        double[] helpersStart = helperThreadsCpu();
        System.err.printf("spikebit: task %s started%n", task.name());
        if (ClusterBackend.isFilesystemUri(task.out())) {
            // A fresh local copy of the task's run directories, saved back after each checkpoint: a
            // retried attempt, on this executor or another, starts from what the last one saved.
            try (HadoopFolder folder = HadoopFolder.open(task.out())) {
                folder.fetch(task::uses);
                task.run(folder.local(), folder::save);
            }
        } else {
            task.run(Path.of(task.out()), () -> {});
        }
        double[] helpers = helperThreadsCpu();
        Cost cost = new Cost(
                task.name(),
                ManagementFactory.getRuntimeMXBean().getName(),
                (System.nanoTime() - start) / 1e9,
                (ProcessCpuClock.nanos() - cpuStart) / 1e9,
                helpers[0] - helpersStart[0],
                helpers[1] - helpersStart[1],
                cpuStart / 1e9);
        System.err.printf(
                "spikebit: task %s done in %.1f s (executor CPU %.1f s; JIT %.1f s, GC %.1f s of it; %.1f CPU-s before it)%n",
                cost.name(),
                cost.wallSeconds(),
                cost.cpuSeconds(),
                cost.jitSeconds(),
                cost.gcSeconds(),
                cost.cpuBefore());
        return cost;
    }

    /** Clock ticks per second of the CPU times in {@code /proc} (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    /**
     * The CPU seconds so far of this JVM's JIT compiler threads and of its garbage collector
     * threads with the VM thread, from {@code /proc/self/task} (Linux; NaN elsewhere). The JVM's
     * management beans only give these threads' elapsed times, which a busy machine stretches.
     */
    private static double[] helperThreadsCpu() {
        double[] seconds = {0, 0};
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path thread : threads) {
                String name;
                String stat;
                try {
                    name = Files.readString(thread.resolve("comm")).strip();
                    stat = Files.readString(thread.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                int kind = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")
                        ? 0
                        : name.startsWith("GC Thread") || name.equals("VM Thread") ? 1 : -1;
                if (kind >= 0) {
                    // utime and stime are fields 14 and 15; the name before them may hold spaces
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    seconds[kind] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return seconds;
    }
}
