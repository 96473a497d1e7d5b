package dev.spikebit.runtime.io;

import dev.spikebit.runtime.RuntimeModelException;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes safetensors files, the format of spikebit's checkpoints and deployed models
 * (docs/architecture.md, "Files"; layout in docs/file-formats.md), the one implementation of the
 * format in the project (the runtime owns it because it may depend on nothing; the training
 * library's checkpoints and the deploy writer use it too): an 8-byte little-endian header length
 * N, N bytes of UTF-8 JSON describing each tensor's dtype, shape and byte range plus an optional
 * {@code __metadata__} object of strings, then the raw little-endian tensor bytes.
 *
 * <p>Files written here are byte-identical to those of the reference implementation (Python's
 * {@code safetensors.torch.save_file}) for the same tensors and at most one metadata key, so
 * weights move to and from PyTorch. The tensor order in the file is the reference's (see
 * {@link HeaderWriter}), not the order they were given in. {@link #write(OutputStream, String,
 * Collection, Map)} streams a file to any output (the library wraps it in an atomic file replace);
 * {@link #write(Path, Collection, Map)} writes a path directly.
 *
 * <p>Reading checks the whole header against the file length before it allocates anything (see
 * {@link HeaderReader}), and every failure is a {@link RuntimeModelException} whose message starts with
 * the file's path.
 */
public final class SafeTensors {

    /** The header key reserved for the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * The largest header the reference implementation accepts, and so the largest we write or read
     * (it is below 100 MiB: the stricter of the two limits spikebit's readers once had).
     */
    public static final int MAX_HEADER_BYTES = 100_000_000;

    private static final int COPY_CHUNK_BYTES = 1 << 20;
    /** Larger tensors are read off-heap: a Java array holds at most about 2^31 elements. */
    private static final long MAX_HEAP_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private SafeTensors() {}

    /** Writes tensors without metadata; see {@link #write(Path, Collection, Map)}. */
    public static void write(Path path, Collection<TensorEntry> tensors) {
        write(path, tensors, Map.of());
    }

    /**
     * Writes a safetensors file holding {@code tensors} and {@code metadata} to {@code path}
     * (created or truncated; not atomic: a library caller that must not leave half a file wraps
     * {@link #write(OutputStream, String, Collection, Map)} in an atomic replace).
     */
    public static void write(Path path, Collection<TensorEntry> tensors, Map<String, String> metadata) {
        HeaderWriter.Layout layout = HeaderWriter.layout(path.toString(), tensors, metadata);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), COPY_CHUNK_BYTES)) {
            write(out, layout);
        } catch (IOException e) {
            throw new RuntimeModelException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Streams a safetensors file holding {@code tensors} and {@code metadata} to {@code out}
     * through a small buffer: memory use does not grow with the file.
     *
     * @param label how to name the file in messages
     * @throws RuntimeModelException naming the file if two tensors share a name, a name is
     *                               {@code __metadata__}, or the header would exceed
     *                               {@value #MAX_HEADER_BYTES} bytes; nothing is written then
     * @throws IOException           if {@code out} fails
     */
    public static void write(
            OutputStream out, String label, Collection<TensorEntry> tensors, Map<String, String> metadata)
            throws IOException {
        write(out, HeaderWriter.layout(label, tensors, metadata));
    }

    private static void write(OutputStream out, HeaderWriter.Layout layout) throws IOException {
        byte[] length = ByteBuffer.allocate(Long.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(layout.header().length)
                .array();
        out.write(length);
        out.write(layout.header());
        byte[] chunk = new byte[COPY_CHUNK_BYTES];
        for (TensorEntry tensor : layout.tensors()) {
            writeData(tensor.data(), chunk, out);
        }
    }

    /**
     * Reads and checks only the header: what a tool needs to list a file's tensors or to load some
     * of them.
     */
    public static SafeTensorsHeader readHeader(Path path) {
        try (FileChannel channel = open(path)) {
            return readHeader(path, channel);
        } catch (IOException e) {
            throw cannotRead(path, e);
        }
    }

    /** Reads a whole file: every tensor, in file order, and the metadata. */
    public static SafeTensorsFile read(Path path) {
        try (FileChannel channel = open(path)) {
            SafeTensorsHeader header = readHeader(path, channel);
            var tensors = new LinkedHashMap<String, TensorEntry>();
            for (TensorInfo info : header.tensors()) {
                MemorySegment data = allocate(info.byteSize());
                readFully(channel, data, header.dataStart() + info.begin());
                tensors.put(info.name(), new TensorEntry(info.name(), info.dtype(), info.shape(), data));
            }
            return new SafeTensorsFile(path, tensors, header.metadata());
        } catch (EOFException e) {
            throw new RuntimeModelException(
                    path + ": the file ended early while reading tensor data (changed while reading?)", e);
        } catch (IOException e) {
            throw cannotRead(path, e);
        }
    }

    private static SafeTensorsHeader readHeader(Path path, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < Long.BYTES) {
            throw new RuntimeModelException(path + ": the file is " + fileSize + " bytes, too short for the "
                    + "8-byte header length that starts a safetensors file");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, MemorySegment.ofBuffer(lengthBytes), 0);
        long headerLength = lengthBytes.getLong(0);
        // Unsigned comparisons: the format's length is a u64, and a negative long is a huge one.
        if (Long.compareUnsigned(headerLength, MAX_HEADER_BYTES) > 0) {
            throw new RuntimeModelException(path + ": header length " + Long.toUnsignedString(headerLength)
                    + " is over the " + MAX_HEADER_BYTES + "-byte limit of the safetensors format"
                    + " (not a safetensors file, or a damaged one)");
        }
        long available = fileSize - Long.BYTES;
        if (headerLength > available) {
            throw new RuntimeModelException(
                    path + ": header length " + headerLength + " runs past the end of the file, " + "which has "
                            + available + " bytes after the length field (truncated, or not a safetensors file)");
        }
        byte[] header = new byte[(int) headerLength];
        readFully(channel, MemorySegment.ofArray(header), Long.BYTES);
        return HeaderReader.parse(path.toString(), header, available - headerLength);
    }

    private static MemorySegment allocate(long bytes) {
        return bytes <= MAX_HEAP_TENSOR_BYTES
                ? MemorySegment.ofArray(new byte[(int) bytes])
                : Arena.ofAuto().allocate(bytes, Long.BYTES);
    }

    /** Fills {@code target} from the file, starting at {@code position}, in chunks a ByteBuffer can hold. */
    private static void readFully(FileChannel channel, MemorySegment target, long position) throws IOException {
        long done = 0;
        long size = target.byteSize();
        while (done < size) {
            long chunk = Math.min(size - done, 1L << 30);
            ByteBuffer buffer = target.asSlice(done, chunk).asByteBuffer();
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + done + buffer.position()) < 0) {
                    throw new EOFException();
                }
            }
            done += chunk;
        }
    }

    /**
     * Copies the tensor's bytes out through {@code chunk}: works for data wrapping any Java array or
     * off-heap memory, without materialising the tensor a second time.
     */
    private static void writeData(MemorySegment data, byte[] chunk, OutputStream out) throws IOException {
        MemorySegment bounce = MemorySegment.ofArray(chunk);
        long size = data.byteSize();
        for (long done = 0; done < size; ) {
            int n = (int) Math.min(chunk.length, size - done);
            MemorySegment.copy(data, done, bounce, 0, n);
            out.write(chunk, 0, n);
            done += n;
        }
    }

    private static FileChannel open(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    private static RuntimeModelException cannotRead(Path path, IOException e) {
        String reason = switch (e) {
            case NoSuchFileException missing -> "no such file";
            case AccessDeniedException denied -> "permission denied";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        return new RuntimeModelException(path + ": cannot read: " + reason, e);
    }
}
