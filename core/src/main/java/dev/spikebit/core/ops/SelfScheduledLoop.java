package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A loop whose iterations the pool's threads claim one at a time, for work whose cost depends on
 * the data (event-driven convolution: the number of non-zero inputs per image) or on the machine
 * (a thread the operating system pauses). A split into equal halves decided up front leaves one
 * core idle while the other finishes the heavier half; here a thread that finishes early takes the
 * next iteration. Which thread runs an iteration is not fixed, so an iteration must write only
 * its own outputs: then the results do not depend on the schedule.
 */
final class SelfScheduledLoop {
    private SelfScheduledLoop() {}

    /** Runs {@code body} once for each of {@code 0 .. n - 1}, on the pool's threads. */
    static void forEach(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Parallel.range(Math.min(n, Parallel.threads()), 1, (from, to) -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                body.accept(i);
            }
        });
    }
}
