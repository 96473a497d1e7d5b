package dev.spikebit.bench.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs one fuzz target on one input at a time, on a worker thread of its own so that it can
 * measure what the read allocated (the thread's allocation counter) and notice a read that does
 * not finish within the timeout. A read passes when it returns or throws the target's own error
 * type, allocates no more than {@link FuzzTarget#allowance}, and finishes in time; anything else is
 * a {@link Outcome.Failure}.
 */
public final class FuzzRunner implements AutoCloseable {
    private final FuzzTarget target;
    private final Path input;
    private final Path scratch;
    private final Duration timeout;
    private ExecutorService worker;

    /** What one read did. */
    public sealed interface Outcome {
        /** The reader accepted the file. */
        record Accepted(long allocated) implements Outcome {}

        /** The reader refused the file with its own error; {@code message} is what a user would read. */
        record Refused(long allocated, String message) implements Outcome {}

        /** Anything else: another exception, too much memory, or no end in sight. */
        record Failure(String kind, String detail) implements Outcome {}
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

    public Outcome run(byte[] bytes) throws IOException {
        clear(scratch);
        Files.write(input, bytes);
        long allowance = target.allowance(bytes.length);
        Future<Outcome> result = worker.submit(() -> readOnce(allowance));
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is a daemon and is left behind
            return new Outcome.Failure("hang", "no result after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            return new Outcome.Failure("harness", e.getCause().toString());
        }
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
