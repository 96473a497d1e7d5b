package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;

/** Runs one cluster task on an executor; a failure fails the Spark task, which Spark then retries. */
final class TaskRunner {
    private TaskRunner() {}

    static void run(ClusterBackend.Task task) throws Exception {
        long start = System.nanoTime();
        System.err.printf("spikebit: task %s started%n", task.name());
        task.run();
        System.err.printf("spikebit: task %s done in %.1f s%n", task.name(), (System.nanoTime() - start) / 1e9);
    }
}
