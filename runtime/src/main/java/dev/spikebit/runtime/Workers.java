package dev.spikebit.runtime;

import java.util.concurrent.ForkJoinPool;

/**
 * The runtime's own small thread pool (the runtime depends on nothing, so it cannot use the
 * engine's). Daemon threads, created on first use; its size is the system property
 * {@code spikebit.runtime.threads}, else the number of processors. The only global state of the
 * runtime.
 */
final class Workers {
    private static volatile ForkJoinPool pool;

    private Workers() {
    }

    static int size() {
        return Integer.getInteger("spikebit.runtime.threads", Runtime.getRuntime().availableProcessors());
    }

    static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (Workers.class) {
                p = pool;
                if (p == null) {
                    p = new ForkJoinPool(Math.max(1, size()));
                    pool = p;
                }
            }
        }
        return p;
    }
}
