package dev.spikebit.runtime.io;

import dev.spikebit.runtime.RuntimeModelException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open safetensors file, read strictly: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * (plus an optional {@code __metadata__} of strings), then the tensor bytes.
 *
 * <p>{@link #open} checks everything the header declares against the file before anything is
 * allocated from it: the header fits in the file, every tensor's byte range lies inside the data
 * and has exactly the size its dtype and shape call for (computed without overflow), and the
 * ranges tile the data with no gap or overlap. Tensor bytes are read only on request.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** A header larger than this is refused before it is read. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    /** One tensor's declaration; {@code begin}, {@code end} are offsets into the data. */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        public long byteLength() {
            return end - begin;
        }
    }

    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1),
            Map.entry("U8", 1),
            Map.entry("I8", 1),
            Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1),
            Map.entry("I16", 2),
            Map.entry("U16", 2),
            Map.entry("F16", 2),
            Map.entry("BF16", 2),
            Map.entry("I32", 4),
            Map.entry("U32", 4),
            Map.entry("F32", 4),
            Map.entry("F64", 8),
            Map.entry("I64", 8),
            Map.entry("U64", 8));

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long fileSize,
            long dataStart,
            Map<String, String> metadata,
            Map<String, TensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Opens and checks {@code path}; the caller closes it. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new RuntimeModelException(path + ": cannot open (" + e + ")", e);
        }
        try {
            return read(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile read(Path path, FileChannel channel) {
        long size = size(path, channel);
        if (size < 8) {
            throw fail(path, "file of " + size + " bytes is shorter than the 8-byte header length");
        }
        long headerLength =
                readAt(path, channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > size - 8) {
            throw fail(path, "header length " + headerLength + " does not fit in a file of " + size + " bytes");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw fail(path, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer header = readAt(path, channel, 8, (int) headerLength);
        String json;
        try {
            json = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(header)
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail(path, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw fail(path, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw fail(path, "header must be a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (var entry : top.entrySet()) {
            String name = (String) entry.getKey();
            if (name.equals("__metadata__")) {
                if (!(entry.getValue() instanceof Map<?, ?> meta)) {
                    throw fail(path, "__metadata__ must be an object of strings");
                }
                for (var m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw fail(path, "__metadata__ value of \"" + m.getKey() + "\" is not a string");
                    }
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            tensors.put(name, tensor(path, name, entry.getValue(), dataLength));
        }
        checkTiling(path, tensors.values(), dataLength);
        return new SafetensorsFile(
                path,
                channel,
                size,
                dataStart,
                Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(tensors));
    }

    private static TensorInfo tensor(Path path, String name, Object value, long dataLength) {
        String where = "tensor \"" + name + "\"";
        if (!(value instanceof Map<?, ?> map)) {
            throw fail(path, where + " must be an object");
        }
        for (Object key : map.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw fail(path, where + " has unknown field \"" + key + "\"");
            }
        }
        if (!(map.get("dtype") instanceof String dtype)) {
            throw fail(path, where + ": dtype missing or not a string");
        }
        Integer elementBytes = DTYPE_BYTES.get(dtype);
        if (elementBytes == null) {
            throw fail(path, where + ": unknown dtype \"" + dtype + "\"");
        }
        long[] shape = longs(path, where, "shape", map.get("shape"), -1);
        long[] offsets = longs(path, where, "data_offsets", map.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataLength) {
            throw fail(
                    path,
                    where + ": data_offsets [" + begin + ", " + end + "] do not lie inside the " + dataLength
                            + " data bytes");
        }
        long bytes = elementBytes;
        for (long d : shape) {
            try {
                bytes = Math.multiplyExact(bytes, d);
            } catch (ArithmeticException e) {
                throw fail(path, where + ": shape " + java.util.Arrays.toString(shape) + " is too large");
            }
        }
        if (bytes != end - begin) {
            throw fail(
                    path,
                    where + ": " + dtype + " " + java.util.Arrays.toString(shape) + " needs " + bytes
                            + " bytes, data_offsets give " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longs(Path path, String where, String field, Object value, int length) {
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw fail(
                    path,
                    where + ": " + field + " must be an array" + (length >= 0 ? " of " + length : "")
                            + " of whole numbers");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof BigDecimal d) || d.signum() < 0) {
                throw fail(path, where + ": " + field + " holds " + list.get(i) + ", expected a whole number >= 0");
            }
            try {
                out[i] = d.longValueExact();
            } catch (ArithmeticException e) {
                throw fail(path, where + ": " + field + " holds " + d + ", expected a whole number >= 0");
            }
        }
        return out;
    }

    /** The tensors' ranges must cover the data exactly once, as the format requires. */
    private static void checkTiling(Path path, java.util.Collection<TensorInfo> tensors, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        for (TensorInfo t : sorted) {
            if (t.begin() != expected) {
                throw fail(
                        path,
                        "tensor \"" + t.name() + "\" starts at data byte " + t.begin() + ", expected " + expected
                                + (t.begin() < expected ? " (it overlaps another tensor)" : " (a gap before it)"));
            }
            expected = t.end();
        }
        if (expected != dataLength) {
            throw fail(
                    path,
                    "the tensors end at data byte " + expected + " but the file holds " + dataLength + " data bytes");
        }
    }

    public Path path() {
        return path;
    }

    public long fileSize() {
        return fileSize;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensors by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** A tensor's raw bytes; the range was checked against the file when it was opened. */
    public byte[] bytes(TensorInfo t) {
        if (t.byteLength() > Integer.MAX_VALUE - 16) {
            throw fail(
                    path, "tensor \"" + t.name() + "\" of " + t.byteLength() + " bytes is too large for this runtime");
        }
        byte[] out = new byte[(int) t.byteLength()];
        ByteBuffer buffer = ByteBuffer.wrap(out);
        long at = dataStart + t.begin();
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, at + buffer.position());
                if (n < 0) {
                    throw fail(path, "file ended while reading tensor \"" + t.name() + "\"");
                }
            }
        } catch (IOException e) {
            throw new RuntimeModelException(path + ": cannot read tensor \"" + t.name() + "\" (" + e + ")", e);
        }
        return out;
    }

    /** An F32 tensor's values. */
    public float[] floats(TensorInfo t) {
        byte[] raw = bytes(t);
        float[] out = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static long size(Path path, FileChannel channel) {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new RuntimeModelException(path + ": cannot read (" + e + ")", e);
        }
    }

    private static ByteBuffer readAt(Path path, FileChannel channel, long position, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw fail(path, "file ended early");
                }
            }
        } catch (IOException e) {
            throw new RuntimeModelException(path + ": cannot read (" + e + ")", e);
        }
        return buffer.flip();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was written; a failed close loses nothing.
        }
    }

    private static RuntimeModelException fail(Path path, String message) {
        return new RuntimeModelException(path + ": " + message);
    }
}
