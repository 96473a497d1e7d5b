package dev.spikebit.core.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one shared worker pool of spikebit. Its size is {@code SPIKEBIT_THREADS} (environment) or the
 * system property {@code spikebit.threads}, else the number of cores.
 *
 * <p>Kernels split their outermost loop into contiguous chunks with {@link #range}; a chunk runs on
 * the calling thread when the work is too small to be worth a hand-off, or inside {@link
 * #serially}.
 */
public final class Parallel {
    /** Body of a parallel loop over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = configuredThreads();
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;
    /** Bound inside {@link #serially}: every range runs on the calling thread. */
    private static final ScopedValue<Boolean> SERIAL = ScopedValue.newInstance();

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    private static int configuredThreads() {
        String value = System.getProperty("spikebit.threads", System.getenv("SPIKEBIT_THREADS"));
        if (value != null && !value.isBlank()) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
            System.err.println("spikebit: ignoring SPIKEBIT_THREADS=" + value + " (expected a whole number >= 1)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} chunks of at least
     * {@code minChunk} iterations each.
     */
    public static void range(int n, int minChunk, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || POOL == null || ForkJoinTask.getPool() == POOL || SERIAL.isBound()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Chunks(body, n, chunks, 0, chunks));
    }

    /**
     * Runs {@code work} with every {@link #range} in it on the calling thread, none on the pool: for
     * work beside the model's, such as a JIT warm-up on a background thread, that must not take
     * the pool's threads from the model. A kernel's scratch arrays are per thread ({@link
     * Workspace}), so such work, on its own thread, shares none with the model.
     */
    public static void serially(Runnable work) {
        ScopedValue.where(SERIAL, Boolean.TRUE).run(work);
    }

    private static final class Chunks extends RecursiveAction {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final int first;
        private final int last;

        Chunks(RangeBody body, int n, int chunks, int first, int last) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.first = first;
            this.last = last;
        }

        @Override
        protected void compute() {
            if (last - first == 1) {
                int from = (int) ((long) n * first / chunks);
                int to = (int) ((long) n * (first + 1) / chunks);
                body.run(from, to);
                return;
            }
            int mid = (first + last) >>> 1;
            invokeAll(new Chunks(body, n, chunks, first, mid), new Chunks(body, n, chunks, mid, last));
        }
    }
}
