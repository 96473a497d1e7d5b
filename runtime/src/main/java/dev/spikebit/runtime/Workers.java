package dev.spikebit.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runtime's own small thread pool (the runtime depends on nothing, so it cannot use the
 * engine's). Daemon threads, created on first use; its size is the system property
 * {@code spikebit.runtime.threads}, else the number of processors. The runtime's only global
 * state besides the record of which kernels {@link KernelWarmUp} has warmed.
 *
 * <p>A plain fixed pool whose idle threads park, not a {@link java.util.concurrent.ForkJoinPool}:
 * the runtime hands out a few large parts of a batch (no work stealing to gain), and a fork-join
 * worker that runs out of work spins for a while before it parks, on a core the other part needs.
 */
final class Workers {
    private static volatile ExecutorService pool;

    private Workers() {}

    static int size() {
        return Integer.getInteger(
                "spikebit.runtime.threads", Runtime.getRuntime().availableProcessors());
    }

    static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Workers.class) {
                p = pool;
                if (p == null) {
                    int n = Math.max(1, size());
                    AtomicInteger count = new AtomicInteger();
                    p = new ThreadPoolExecutor(n, n, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
                        Thread t = new Thread(task, "spikebit-runtime-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }
}
