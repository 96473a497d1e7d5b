package dev.spikebit.runtime.io;

import dev.spikebit.runtime.RuntimeModelException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Lays tensors out in a safetensors data section and encodes the header that describes them, byte
 * for byte as the reference implementation (the Rust crate behind Python's {@code safetensors})
 * does:
 *
 * <ul>
 *   <li>tensors ordered by decreasing alignment ({@link DType} declaration order, last first), then
 *       by name in UTF-8 byte order, packed one after the other with no gaps;</li>
 *   <li>compact JSON: {@code __metadata__} first, then each tensor's {@code dtype}, {@code shape},
 *       {@code data_offsets} in that order; strings escaped like {@code serde_json} (quote,
 *       backslash, short escapes for the control characters that have one, a backslash-u escape with
 *       lowercase hex digits for the other control characters, everything else as raw UTF-8);</li>
 *   <li>the header padded with spaces to a multiple of 8 bytes, so the data section, and with the
 *       ordering every tensor, starts aligned to its element size.</li>
 * </ul>
 *
 * Metadata keys are written in UTF-8 byte order, so equal inputs give identical files whatever map
 * they came in; an empty metadata map writes no {@code __metadata__} at all.
 */
final class HeaderWriter {

    /** The tensors in file order and the padded header bytes that describe them. */
    record Layout(List<TensorEntry> tensors, byte[] header) {}

    private static final Comparator<String> UTF8_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static final Comparator<TensorEntry> FILE_ORDER = Comparator.comparing(
                    TensorEntry::dtype, Comparator.reverseOrder())
            .thenComparing(TensorEntry::name, UTF8_ORDER);

    private HeaderWriter() {}

    static Layout layout(String fileLabel, Collection<TensorEntry> tensors, Map<String, String> metadata) {
        var ordered = new ArrayList<>(tensors);
        var seen = new HashSet<String>();
        for (TensorEntry tensor : ordered) {
            if (tensor.name().equals(SafeTensors.METADATA_KEY)) {
                throw new RuntimeModelException(fileLabel + ": \"" + SafeTensors.METADATA_KEY
                        + "\" is reserved for the header's metadata and cannot name a tensor");
            }
            if (!seen.add(tensor.name())) {
                throw new RuntimeModelException(fileLabel + ": two tensors are named \"" + tensor.name() + "\"");
            }
        }
        ordered.sort(FILE_ORDER);

        var json = new StringBuilder(64 + 96 * ordered.size());
        json.append('{');
        if (!metadata.isEmpty()) {
            appendString(json, SafeTensors.METADATA_KEY);
            json.append(":{");
            var keys = new ArrayList<>(metadata.keySet());
            keys.sort(UTF8_ORDER);
            for (int i = 0; i < keys.size(); i++) {
                String value = metadata.get(keys.get(i));
                if (value == null) {
                    throw new RuntimeModelException(fileLabel + ": metadata \"" + keys.get(i) + "\" has no value");
                }
                if (i > 0) {
                    json.append(',');
                }
                appendString(json, keys.get(i));
                json.append(':');
                appendString(json, value);
            }
            json.append('}');
        }
        long offset = 0;
        for (TensorEntry tensor : ordered) {
            if (json.length() > 1) {
                json.append(',');
            }
            long end = offset + tensor.data().byteSize();
            appendString(json, tensor.name());
            json.append(":{\"dtype\":\"").append(tensor.dtype().name()).append("\",\"shape\":[");
            long[] shape = tensor.shape();
            for (int d = 0; d < shape.length; d++) {
                if (d > 0) {
                    json.append(',');
                }
                json.append(shape[d]);
            }
            json.append("],\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(end)
                    .append("]}");
            offset = end;
        }
        json.append('}');

        byte[] utf8 = encodeStrictly(fileLabel, json);
        int padded = Math.ceilDiv(utf8.length, 8) * 8;
        if (padded > SafeTensors.MAX_HEADER_BYTES) {
            throw new RuntimeModelException(fileLabel + ": the header would take " + padded + " bytes, over the "
                    + SafeTensors.MAX_HEADER_BYTES + "-byte limit of the safetensors format (too much metadata?)");
        }
        byte[] header = Arrays.copyOf(utf8, padded);
        Arrays.fill(header, utf8.length, padded, (byte) ' ');
        return new Layout(List.copyOf(ordered), header);
    }

    private static void appendString(StringBuilder json, String text) {
        Json.quote(text, json);
    }

    /** UTF-8 that fails on a lone surrogate instead of writing '?' where a name should be. */
    private static byte[] encodeStrictly(String fileLabel, CharSequence json) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(json));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new RuntimeModelException(fileLabel + ": a tensor name or metadata string is not valid Unicode "
                    + "(a lone UTF-16 surrogate) and cannot be written as UTF-8");
        }
    }
}
