package dev.spikebit.data.loader;

import dev.spikebit.data.DataException;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One pass over a dataset in batches, from {@link DataLoader#epoch(int)}. Use it in
 * try-with-resources: closing it mid-epoch stops and waits for its prefetch thread. An epoch that
 * is dropped without being closed is stopped too, once the garbage collector notices (a
 * {@link Cleaner} does it), and one that runs to its end releases its thread by itself.
 *
 * <p>A failure while preparing a batch (in the dataset or an augmentation, on whichever thread)
 * reaches the consumer as a {@link DataException} from {@link #next()}, with the original as its
 * cause; the epoch is closed after it.
 */
public final class Epoch implements Iterator<Batch>, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String datasetName;
    private final int epoch;
    private final int end;
    private final BatchAssembler assembler;
    private final boolean reuseBuffers;
    private final Prefetcher prefetcher;
    private final Cleaner.Cleanable cleanable;
    private int next;
    private Batch handedOut;
    private boolean closed;

    Epoch(
            String datasetName,
            int epoch,
            int first,
            int end,
            BatchAssembler assembler,
            int prefetchDepth,
            boolean reuseBuffers) {
        this.datasetName = datasetName;
        this.epoch = epoch;
        this.next = first;
        this.end = end;
        this.assembler = assembler;
        this.reuseBuffers = reuseBuffers;
        if (prefetchDepth > 0 && first < end) {
            prefetcher = new Prefetcher(
                    assembler,
                    first,
                    end,
                    prefetchDepth,
                    reuseBuffers,
                    "spikebit-loader " + datasetName + " epoch " + epoch);
            cleanable = CLEANER.register(this, prefetcher::stop);
            prefetcher.start();
        } else {
            prefetcher = null;
            cleanable = null;
        }
    }

    /** The epoch number. */
    public int number() {
        return epoch;
    }

    /** Batches {@link #next()} will still return. */
    public int remaining() {
        return closed ? 0 : end - next;
    }

    @Override
    public boolean hasNext() {
        return !closed && next < end;
    }

    /**
     * The next batch. With buffer reuse, the previous batch's {@code x} becomes invalid now.
     *
     * @throws DataException if preparing the batch failed
     */
    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("epoch " + epoch + " of " + datasetName + " is closed");
        }
        if (next >= end) {
            throw new NoSuchElementException("epoch " + epoch + " of " + datasetName + " has no batch " + next);
        }
        float[] reusable = null;
        if (handedOut != null) {
            reusable = handedOut.x();
            handedOut = null;
        }
        Batch batch = prefetcher == null ? assembleHere(reusable) : awaitPrefetched(reusable);
        next++;
        if (reuseBuffers) {
            handedOut = batch;
        }
        if (next == end && cleanable != null) {
            cleanable.clean(); // the thread has nothing left to do; deregister it now rather than at GC
        }
        return batch;
    }

    private Batch assembleHere(float[] reusable) {
        try {
            return assembler.assemble(next, reusable);
        } catch (Throwable failure) {
            close();
            throw failed(next, failure);
        }
    }

    private Batch awaitPrefetched(float[] reusable) {
        if (reusable != null) {
            prefetcher.recycle(reusable);
        }
        Object item;
        try {
            item = prefetcher.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new DataException(
                    datasetName + ": interrupted while waiting for batch " + next + " of epoch " + epoch);
        }
        if (item instanceof Prefetcher.Failure failure) {
            close();
            throw failed(failure.batch(), failure.cause());
        }
        return (Batch) item;
    }

    private DataException failed(int batch, Throwable cause) {
        return new DataException(
                datasetName + ": preparing batch " + batch + " of epoch " + epoch + " failed: " + cause, cause);
    }

    /** Stops the prefetch thread and waits for it to end. Batches already returned stay valid. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (prefetcher == null) {
            return;
        }
        cleanable.clean();
        try {
            prefetcher.awaitEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the thread is stopped and ends on its own
        }
    }

    /** The prefetch thread, or null when batches are prepared on the caller's thread (for tests). */
    Thread prefetchThread() {
        return prefetcher == null ? null : prefetcher.thread();
    }
}
