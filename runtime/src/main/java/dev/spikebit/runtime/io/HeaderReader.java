package dev.spikebit.runtime.io;

import dev.spikebit.runtime.RuntimeModelException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a safetensors header and checks it against the size of the data section that follows it,
 * so that nothing is allocated on the word of a damaged or hostile file.
 *
 * <p>Checks, in order: UTF-8; a JSON object (first byte '{', no duplicate keys, nothing after
 * it but the space padding); {@code __metadata__} an object of strings; each tensor an object with
 * a known {@code dtype}, a {@code shape} of non-negative integers whose byte size fits in 64 bits,
 * and {@code data_offsets} of two integers {@code [begin, end]}, {@code begin <= end <=} the data
 * section's length, {@code end - begin} equal to the byte size; then, sorted by offset, the tensors
 * must cover the data section exactly, without gaps or overlaps, as the reference implementation
 * requires. A field inside a tensor other than those three is refused (the reference ignores
 * it; spikebit reads strictly, so a typo or a newer layout is named instead of passed over), as is
 * a number written with a fraction or an exponent where a whole number belongs ({@code 128.0}).
 * The JSON is parsed by {@link Json}.
 *
 * <p>Every failure is a {@link RuntimeModelException} whose message starts with the file and names the
 * tensor and field.
 */
final class HeaderReader {

    private final String file;

    private HeaderReader(String file) {
        this.file = file;
    }

    /**
     * @param file       how to name the file in messages (its path as the user gave it)
     * @param header     the header bytes, padding included
     * @param dataLength bytes of the file after the header
     */
    static SafeTensorsHeader parse(String file, byte[] header, long dataLength) {
        return new HeaderReader(file).parse(header, dataLength);
    }

    private SafeTensorsHeader parse(byte[] header, long dataLength) {
        Map<?, ?> root = parseJson(header);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (var field : root.entrySet()) {
            if (field.getKey().equals(SafeTensors.METADATA_KEY)) {
                readMetadata(field.getValue(), metadata);
            } else {
                tensors.add(readTensor((String) field.getKey(), field.getValue(), dataLength));
            }
        }
        // Stable: empty tensors sharing an offset keep their header order.
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkCoverage(tensors, dataLength);
        return new SafeTensorsHeader(tensors, metadata, 8L + header.length);
    }

    private Map<?, ?> parseJson(byte[] header) {
        if (header.length == 0) {
            throw fail("the header is empty; expected a JSON object");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("the header is not valid UTF-8");
        }
        if (header[0] != '{') {
            throw fail("the header must be a JSON object starting with '{' but starts with " + describeByte(header[0]));
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw fail("the header is not valid JSON: " + e.getMessage());
        }
        // The first byte was '{' and the parser accepts only one value: it is an object.
        return (Map<?, ?>) root;
    }

    private void readMetadata(Object node, Map<String, String> metadata) {
        if (node == Json.NULL) {
            return;
        }
        if (!(node instanceof Map<?, ?> map)) {
            throw fail("\"" + SafeTensors.METADATA_KEY + "\" must be an object of strings, found " + describe(node));
        }
        for (var entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String value)) {
                throw fail("\"" + SafeTensors.METADATA_KEY + "\" value of \"" + entry.getKey()
                        + "\" must be a string, found " + describe(entry.getValue()));
            }
            metadata.put((String) entry.getKey(), value);
        }
    }

    private TensorInfo readTensor(String name, Object value, long dataLength) {
        String where = "tensor \"" + name + "\"";
        if (!(value instanceof Map<?, ?> node)) {
            throw fail(where + ": expected an object with dtype, shape and data_offsets, found " + describe(value));
        }
        for (Object key : node.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw fail(where + ": unknown field \"" + key + "\" (a tensor has only dtype, shape and data_offsets)");
            }
        }
        DType dtype = readDType(where, node);
        long[] shape = readIntegers(where, node, "shape", -1);
        long[] offsets = readIntegers(where, node, "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];

        long needed;
        try {
            needed = dtype.byteSize(shape);
        } catch (ArithmeticException e) {
            throw fail(where + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " has more bytes than fit in 64 bits");
        }
        if (begin > end) {
            throw fail(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataLength) {
            throw fail(where + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section, which holds " + dataLength
                    + " bytes (is the file truncated?)");
        }
        if (end - begin != needed) {
            throw fail(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin) + " bytes but "
                    + dtype + " shape " + Arrays.toString(shape) + " needs " + needed);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private DType readDType(String where, Map<?, ?> tensor) {
        Object node = tensor.get("dtype");
        if (node == null) {
            throw fail(where + ": missing field \"dtype\"");
        }
        if (!(node instanceof String name)) {
            throw fail(where + ": \"dtype\" must be a string such as \"F32\", found " + describe(node));
        }
        return DType.fromName(name)
                .orElseThrow(() -> fail(where + ": unknown or unsupported dtype \"" + name + "\"; spikebit reads "
                        + Arrays.toString(DType.values())));
    }

    /** An array of non-negative integers, of the given length unless {@code length} is -1. */
    private long[] readIntegers(String where, Map<?, ?> tensor, String field, int length) {
        Object node = tensor.get(field);
        if (node == null) {
            throw fail(where + ": missing field \"" + field + "\"");
        }
        String expected =
                length < 0 ? "an array of non-negative integers" : "an array of " + length + " non-negative integers";
        if (!(node instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw fail(where + ": \"" + field + "\" must be " + expected + ", found " + describe(node));
        }
        long[] values = new long[list.size()];
        for (int i = 0; i < values.length; i++) {
            Object item = list.get(i);
            if (!(item instanceof BigInteger whole) || whole.signum() < 0 || whole.bitLength() > 63) {
                // A whole value written as 128.0 or 1.28e2: say why it is refused.
                String written =
                        item instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0
                                ? " (written with a fraction or an exponent)"
                                : "";
                throw fail(where + ": \"" + field + "\" must be " + expected + ", found " + describe(item) + written
                        + " at index " + i);
            }
            values[i] = whole.longValue();
        }
        return values;
    }

    /** With the tensors sorted by offset: each must begin where the previous one ended. */
    private void checkCoverage(List<TensorInfo> tensors, long dataLength) {
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo tensor : tensors) {
            if (tensor.begin() > covered) {
                throw fail("data section bytes [" + covered + ", " + tensor.begin() + ") belong to no tensor: "
                        + "tensor \"" + tensor.name() + "\" begins at " + tensor.begin() + " but "
                        + (previous == null
                                ? "the data section begins at 0"
                                : "tensor \"" + previous.name() + "\" ends at " + covered));
            }
            if (tensor.begin() < covered) {
                throw fail("tensor \"" + tensor.name() + "\": data_offsets [" + tensor.begin() + ", " + tensor.end()
                        + "] overlap tensor \"" + previous.name() + "\", which ends at " + covered);
            }
            covered = tensor.end();
            previous = tensor;
        }
        if (covered != dataLength) {
            throw fail("the tensors cover " + covered + " bytes of data but the file holds " + dataLength
                    + " after the header: " + (dataLength - covered) + " trailing bytes belong to no tensor");
        }
    }

    private RuntimeModelException fail(String message) {
        return new RuntimeModelException(file + ": " + message);
    }

    private static String describe(Object node) {
        String text = Json.write(node);
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String describeByte(byte b) {
        int value = b & 0xFF;
        return value >= 0x20 && value < 0x7F ? "'" + (char) value + "'" : String.format("byte 0x%02x", value);
    }
}
