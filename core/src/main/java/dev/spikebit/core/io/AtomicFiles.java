package dev.spikebit.core.io;

import dev.spikebit.core.SpikebitException;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that it is replaced in one step: a reader, or the next run after a crash, finds
 * either the complete old file or the complete new one.
 *
 * <p>The content goes to a hidden temporary file in the target's directory ({@code .NAME.RANDOM.tmp},
 * same file system, so the final rename cannot turn into a copy). The temporary file is flushed to
 * the disk ({@link FileChannel#force}) before it is renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}, and the directory is synced after, so that neither a crash
 * nor a power cut can expose a file whose name is new but whose bytes are not. If the content
 * writer fails, the temporary file is deleted and the target is left as it was. A process killed
 * mid-write leaves the target intact plus a stray temporary file.
 *
 * <p>Checkpoints, metrics and deployed models all go through here.
 */
public final class AtomicFiles {

    /** Produces a file's content. The stream is buffered; closing it is allowed and harmless. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final int BUFFER_BYTES = 1 << 16;

    /**
     * Where a write halts the whole JVM, as a kill would: the kill-safety test runs a child JVM with
     * the system property {@value #CRASH_PROPERTY} set to {@code MID_WRITE} (after the first 4 KB of
     * content reached the temporary file) or {@code BEFORE_RENAME} (after the content was forced to
     * disk, before the rename) and checks that the previous file still loads. Unset, it costs one
     * comparison per write.
     */
    enum CrashPoint {
        NONE,
        MID_WRITE,
        BEFORE_RENAME
    }

    static final String CRASH_PROPERTY = "spikebit.test.crashAt";
    /** The exit status of a halt at a crash point, as a process killed by SIGKILL reports. */
    static final int CRASH_STATUS = 137;

    private static final CrashPoint CRASH = crashPoint(System.getProperty(CRASH_PROPERTY));
    private static final int MID_WRITE_BYTES = 4096;

    private static CrashPoint crashPoint(String value) {
        for (CrashPoint p : CrashPoint.values()) {
            if (p.name().equals(value)) {
                return p;
            }
        }
        return CrashPoint.NONE;
    }

    private AtomicFiles() {}

    /**
     * Replaces {@code target} with what {@code content} writes. The parent directory must exist.
     *
     * @throws SpikebitException naming the target if the file cannot be written or moved into place
     * @throws RuntimeException  whatever {@code content} throws unchecked, after cleaning up
     */
    public static void write(Path target, Content content) {
        Path directory = target.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new SpikebitException(target + ": cannot write: directory " + directory + " does not exist");
        }
        Path temporary = null;
        try {
            temporary = createTemporary(directory, target.getFileName().toString());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                var buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                content.writeTo(new CloseShield(buffered, channel));
                buffered.flush();
                channel.force(true);
            }
            if (CRASH == CrashPoint.BEFORE_RENAME) {
                Runtime.getRuntime().halt(CRASH_STATUS);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
            syncDirectory(directory);
        } catch (IOException e) {
            throw new SpikebitException(target + ": cannot write: " + describe(e), e);
        } finally {
            if (temporary != null) {
                deleteQuietly(temporary);
            }
        }
    }

    /** Replaces {@code target} with {@code text} in UTF-8. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Path createTemporary(Path directory, String name) throws IOException {
        // CREATE_NEW rather than Files.createTempFile: the latter makes the file owner-only (0600),
        // and the rename would carry those permissions over to the checkpoint.
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path candidate = directory.resolve("." + name + "." + suffix + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private static void syncDirectory(Path directory) {
        // Makes the rename itself durable. Opening a directory is not possible on every platform
        // (Windows): there the rename is as durable as the file system makes it.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort, see above
        }
    }

    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // the original failure is the one worth reporting
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file or directory " + missing.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied on " + denied.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Passes writes through and turns close into flush: content writers such as Jackson close the
     * stream they are given, but the file must stay open until it has been forced to disk.
     */
    private static final class CloseShield extends FilterOutputStream {
        private final FileChannel channel;
        private long written;

        CloseShield(OutputStream out, FileChannel channel) {
            super(out);
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (CRASH == CrashPoint.MID_WRITE && written + length >= MID_WRITE_BYTES) {
                out.write(bytes, offset, (int) (MID_WRITE_BYTES - written));
                out.flush();
                channel.force(true);
                Runtime.getRuntime().halt(CRASH_STATUS);
            }
            out.write(bytes, offset, length);
            written += length;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
