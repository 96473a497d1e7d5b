package dev.spikebit.bench.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs one fuzz target on one input at a time, on a worker thread of its own so that it can
 * measure what the read allocated (the thread's allocation counter) and notice a read that does
 * not finish within the timeout. A read passes when it returns or throws the target's own error
 * type, allocates no more than {@link FuzzTarget#allowance}, and finishes in time; anything else is
 * a {@link Outcome.Failure}.
 *
 * <p>{@link #runAll} keeps the worker reading input after input while the calling thread only
 * watches the clock: handing every input to the worker and waiting for its answer costs two
 * thread wake-ups per execution, which on a busy machine took longer than most reads.
 */
public final class FuzzRunner implements AutoCloseable {
    private final FuzzTarget target;
    private final Path input;
    private final Path scratch;
    private final Duration timeout;
    private ExecutorService worker;
    /** Bumped when a stuck worker is abandoned, so that it can never report or read again. */
    private final AtomicInteger generation = new AtomicInteger();
    /** When the worker began its current read ({@link System#nanoTime}), or 0 between reads. */
    private volatile long readStarted;
    /** The input of the current read. */
    private volatile byte[] reading;

    /** What one read did. */
    public sealed interface Outcome {
        /** The reader accepted the file. */
        record Accepted(long allocated) implements Outcome {}

        /** The reader refused the file with its own error; {@code message} is what a user would read. */
        record Refused(long allocated, String message) implements Outcome {}

        /** Anything else: another exception, too much memory, or no end in sight. */
        record Failure(String kind, String detail) implements Outcome {}
    }

    /** Where {@link #runAll} sends each input with what reading it did. */
    @FunctionalInterface
    public interface OutcomeSink {
        void accept(byte[] input, Outcome outcome) throws IOException;
    }

    public FuzzRunner(FuzzTarget target, Path workDir, Duration timeout) throws IOException {
        this.target = target;
        this.input = workDir.resolve(target.fileName());
        this.scratch = workDir.resolve("scratch");
        this.timeout = timeout;
        Files.createDirectories(scratch);
        this.worker = newWorker();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads one input. */
    public Outcome run(byte[] bytes) throws IOException {
        Iterator<byte[]> once = List.of(bytes).iterator();
        AtomicReference<Outcome> result = new AtomicReference<>();
        runAll(() -> once.hasNext() ? once.next() : null, (in, outcome) -> result.set(outcome));
        return result.get();
    }

    /**
     * Reads every input {@code source} gives until it gives {@code null}, and sends each outcome to
     * {@code sink}, both called on the worker thread except for a hang, which the calling thread
     * reports before it carries on with a new worker (the stuck one is a daemon and is left behind).
     */
    public void runAll(Supplier<byte[]> source, OutcomeSink sink) throws IOException {
        while (true) {
            int mine = generation.get();
            Future<?> loop = worker.submit(() -> {
                byte[] bytes;
                while (generation.get() == mine && (bytes = source.get()) != null) {
                    reading = bytes;
                    readStarted = System.nanoTime();
                    Outcome outcome = writeAndRead(bytes);
                    readStarted = 0;
                    if (generation.get() != mine) {
                        return null;
                    }
                    sink.accept(bytes, outcome);
                }
                return null;
            });
            if (watch(loop)) {
                return;
            }
            generation.incrementAndGet();
            loop.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            readStarted = 0;
            sink.accept(reading, new Outcome.Failure("hang", "no result after " + timeout.toMillis() + " ms"));
        }
    }

    /** Waits for the worker's loop to end; false when a read has run past the timeout. */
    private boolean watch(Future<?> loop) throws IOException {
        long poll = Math.max(1, Math.min(100, timeout.toMillis() / 10));
        while (true) {
            try {
                loop.get(poll, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                long started = readStarted;
                if (started != 0 && System.nanoTime() - started > timeout.toNanos()) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException("the fuzz harness failed", e.getCause());
            }
        }
    }

    private Outcome writeAndRead(byte[] bytes) throws IOException {
        clear(scratch);
        Files.write(input, bytes);
        return readOnce(target.allowance(bytes.length));
    }

    private Outcome readOnce(long allowance) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Outcome outcome;
        try {
            target.reader().read(input, scratch);
            outcome = new Outcome.Accepted(threads.getCurrentThreadAllocatedBytes() - before);
        } catch (Throwable t) {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (target.isExpected(t)) {
                outcome = new Outcome.Refused(allocated, t.getMessage());
            } else {
                return new Outcome.Failure(t.getClass().getSimpleName(), describe(t));
            }
        }
        long allocated =
                outcome instanceof Outcome.Accepted a ? a.allocated() : ((Outcome.Refused) outcome).allocated();
        if (allocated > allowance) {
            return new Outcome.Failure(
                    "allocation", allocated + " bytes allocated for a file that justifies at most " + allowance);
        }
        if (outcome instanceof Outcome.Refused r
                && (r.message() == null || r.message().contains("\n"))) {
            return new Outcome.Failure("message", "the error is not one line: " + r.message());
        }
        return outcome;
    }

    private static String describe(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return t + (stack.length > 0 ? " at " + stack[0] : "");
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
