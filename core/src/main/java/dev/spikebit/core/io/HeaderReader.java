package dev.spikebit.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.spikebit.core.SpikebitException;
import java.io.IOException;
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
 * requires. Unknown fields inside a tensor are ignored, as they are by the reference.
 *
 * <p>Every failure is a {@link SpikebitException} whose message starts with the file and names the
 * tensor and field.
 */
final class HeaderReader {

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    // A tensor name or metadata value may legitimately be as long as the header allows.
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(SafeTensors.MAX_HEADER_BYTES)
                            .maxNameLength(SafeTensors.MAX_HEADER_BYTES)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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
        JsonNode root = parseJson(header);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (var field : root.properties()) {
            if (field.getKey().equals(SafeTensors.METADATA_KEY)) {
                readMetadata(field.getValue(), metadata);
            } else {
                tensors.add(readTensor(field.getKey(), field.getValue(), dataLength));
            }
        }
        // Stable: empty tensors sharing an offset keep their header order.
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkCoverage(tensors, dataLength);
        return new SafeTensorsHeader(tensors, metadata, 8L + header.length);
    }

    private JsonNode parseJson(byte[] header) {
        if (header.length == 0) {
            throw fail("the header is empty; expected a JSON object");
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header));
        } catch (CharacterCodingException e) {
            throw fail("the header is not valid UTF-8");
        }
        if (header[0] != '{') {
            throw fail("the header must be a JSON object starting with '{' but starts with " + describeByte(header[0]));
        }
        try {
            return JSON.readTree(header);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String at = where == null || where.getByteOffset() < 0
                    ? ""
                    : " at byte " + where.getByteOffset() + " of the header";
            throw fail("the header is not valid JSON" + at + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw fail("the header cannot be parsed: " + e.getMessage());
        }
    }

    private void readMetadata(JsonNode node, Map<String, String> metadata) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw fail("\"" + SafeTensors.METADATA_KEY + "\" must be an object of strings, found " + describe(node));
        }
        for (var entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw fail("\"" + SafeTensors.METADATA_KEY + "\" value of \"" + entry.getKey()
                        + "\" must be a string, found " + describe(entry.getValue()));
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
    }

    private TensorInfo readTensor(String name, JsonNode node, long dataLength) {
        String where = "tensor \"" + name + "\"";
        if (!node.isObject()) {
            throw fail(where + ": expected an object with dtype, shape and data_offsets, found " + describe(node));
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

    private DType readDType(String where, JsonNode tensor) {
        JsonNode node = tensor.get("dtype");
        if (node == null) {
            throw fail(where + ": missing field \"dtype\"");
        }
        if (!node.isTextual()) {
            throw fail(where + ": \"dtype\" must be a string such as \"F32\", found " + describe(node));
        }
        String name = node.textValue();
        return DType.fromName(name)
                .orElseThrow(() -> fail(where + ": unknown or unsupported dtype \"" + name + "\"; spikebit reads "
                        + Arrays.toString(DType.values())));
    }

    /** An array of non-negative integers, of the given length unless {@code length} is -1. */
    private long[] readIntegers(String where, JsonNode tensor, String field, int length) {
        JsonNode node = tensor.get(field);
        if (node == null) {
            throw fail(where + ": missing field \"" + field + "\"");
        }
        String expected =
                length < 0 ? "an array of non-negative integers" : "an array of " + length + " non-negative integers";
        if (!node.isArray() || (length >= 0 && node.size() != length)) {
            throw fail(where + ": \"" + field + "\" must be " + expected + ", found " + describe(node));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode item = node.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToLong() || item.longValue() < 0) {
                throw fail(where + ": \"" + field + "\" must be " + expected + ", found " + describe(item)
                        + " at index " + i);
            }
            values[i] = item.longValue();
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

    private SpikebitException fail(String message) {
        return new SpikebitException(file + ": " + message);
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String describeByte(byte b) {
        int value = b & 0xFF;
        return value >= 0x20 && value < 0x7F ? "'" + (char) value + "'" : String.format("byte 0x%02x", value);
    }
}
