package dev.spikebit.bench.fuzz;

import java.nio.file.Path;
import java.util.List;

/**
 * One reader under fuzzing.
 *
 * @param name      the name {@code bench/fuzz} takes and the seed folder's name
 * @param fileName  the name the input is written under (some readers look at the extension)
 * @param expected  the reader's own error types: the only exceptions a malformed input may cause
 * @param expansion how many bytes the reader may allocate per byte of input (decompression and
 *                  decoding legitimately expand: deflate by up to 1032), on top of {@link #BASE_ALLOWANCE}
 * @param reader    reads a file as the library does for a user
 */
public record FuzzTarget(
        String name, String fileName, List<Class<? extends RuntimeException>> expected, long expansion, Reader reader) {

    /** Allocation any read may make whatever the file's size: parsers, buffers, class initialisation. */
    public static final long BASE_ALLOWANCE = 64L << 20;

    /** What the target does with one input file; {@code scratch} is an empty folder it may write to. */
    @FunctionalInterface
    public interface Reader {
        void read(Path file, Path scratch) throws Exception;
    }

    /** Whether {@code t} is one of the reader's own errors. */
    public boolean isExpected(Throwable t) {
        return expected.stream().anyMatch(c -> c.isInstance(t));
    }

    /** The most bytes a read of a file of {@code fileBytes} may allocate. */
    public long allowance(long fileBytes) {
        return BASE_ALLOWANCE + expansion * fileBytes;
    }
}
