package dev.spikebit.data.loader;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one background daemon thread of an epoch: it assembles batches ahead of the consumer into
 * a bounded queue, so data preparation overlaps training. A failure is queued in place of the
 * batch it broke, for the consumer to rethrow.
 *
 * <p>It is stopped with a flag, not an interrupt: an interrupt would close any
 * {@link java.nio.channels.InterruptibleChannel} a dataset reads from. While the queue is full it
 * looks at the flag every {@value #POLL_MILLIS} ms, so it ends at most one batch after
 * {@link #stop()}. Nothing here refers to the {@link Epoch}, which lets a forgotten epoch be
 * collected and its cleaner stop this thread.
 */
final class Prefetcher implements Runnable {
    private static final long POLL_MILLIS = 20;

    /** What the consumer receives instead of batch {@code batch} when preparing it failed. */
    record Failure(int batch, Throwable cause) {}

    private final BatchAssembler assembler;
    private final int first;
    private final int end;
    private final BlockingQueue<Object> ready;
    private final BlockingQueue<float[]> free;
    private final boolean reuseBuffers;
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * @param first the first batch to prepare
     * @param end   one past the last
     * @param depth how many prepared batches may wait in the queue
     */
    Prefetcher(BatchAssembler assembler, int first, int end, int depth, boolean reuseBuffers, String threadName) {
        this.assembler = assembler;
        this.first = first;
        this.end = end;
        this.ready = new ArrayBlockingQueue<>(depth);
        // Buffers in circulation: 'depth' queued + 1 with the consumer; one spare means the producer never waits.
        this.free = new ArrayBlockingQueue<>(depth + 2);
        this.reuseBuffers = reuseBuffers;
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        int batch = first;
        try {
            for (; batch < end && !stopped; batch++) {
                float[] buffer = reuseBuffers ? free.poll() : null;
                handOver(assembler.assemble(batch, buffer));
            }
        } catch (Throwable failure) {
            handOver(new Failure(batch, failure));
        }
    }

    /** Queues an item, waiting while the queue is full, unless stopped meanwhile. */
    private void handOver(Object item) {
        try {
            while (!stopped) {
                if (ready.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            stopped = true; // someone else interrupted us: treat it as a request to stop
        }
    }

    /** The next prepared batch or {@link Failure}, waiting for it if need be. */
    Object take() throws InterruptedException {
        return ready.take();
    }

    /** Gives a consumed batch's array back for reuse; arrays of the wrong size are dropped. */
    void recycle(float[] x) {
        if (reuseBuffers && x.length == assembler.fullBatchLength()) {
            free.offer(x);
        }
    }

    /** Asks the thread to end; safe to call from any thread, any number of times. */
    void stop() {
        stopped = true;
    }

    /** Waits until the thread has ended (at most the time to finish the batch in progress). */
    void awaitEnd() throws InterruptedException {
        thread.join();
    }

    Thread thread() {
        return thread;
    }
}
