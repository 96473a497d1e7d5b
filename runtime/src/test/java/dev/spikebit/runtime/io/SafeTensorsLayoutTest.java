package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-exact files against layouts computed by hand from the safetensors format, as the reference
 * implementation (Python's {@code safetensors.torch.save_file}) writes them: header length as a
 * little-endian u64, compact JSON with {@code __metadata__} first and fields in the order dtype,
 * shape, data_offsets, padded with spaces to a multiple of 8, tensors sorted by decreasing
 * alignment then name.
 */
class SafeTensorsLayoutTest {

    @TempDir
    Path dir;

    /** The float values 0, 1, 2, 3, 4, 5 as little-endian IEEE 754 single precision. */
    private static final byte[] ZERO_TO_FIVE = {
        0,
        0,
        0,
        0, /* 0.0 */
        0,
        0,
        (byte) 0x80,
        0x3F, /* 1.0 */
        0,
        0,
        0,
        0x40, /* 2.0 */
        0,
        0,
        0x40,
        0x40, /* 3.0 */
        0,
        0,
        (byte) 0x80,
        0x40, /* 4.0 */
        0,
        0,
        (byte) 0xA0,
        0x40 /* 5.0 */
    };

    @Test
    void headerThatIsAMultipleOfEightIsNotPadded() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafeTensors.write(
                file, List.of(TensorEntry.ofFloats("attn.0", new long[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})));

        // 64 characters of JSON.
        byte[] expected = concat(
                new byte[] {64, 0, 0, 0, 0, 0, 0, 0},
                ascii("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"),
                ZERO_TO_FIVE);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void headerIsPaddedWithSpacesToEightBytes() throws IOException {
        Path file = dir.resolve("b.safetensors");
        SafeTensors.write(
                file, List.of(TensorEntry.ofFloats("attn0", new long[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})));

        // 65 characters of JSON + 7 spaces = 72.
        byte[] expected = concat(
                new byte[] {72, 0, 0, 0, 0, 0, 0, 0},
                ascii("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "),
                ZERO_TO_FIVE);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void emptyFileIsAnEmptyObjectPadded() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafeTensors.write(file, List.of());

        assertThat(Files.readAllBytes(file)).isEqualTo(concat(new byte[] {8, 0, 0, 0, 0, 0, 0, 0}, ascii("{}      ")));
    }

    @Test
    void metadataComesFirst() throws IOException {
        Path file = dir.resolve("meta.safetensors");
        SafeTensors.write(file, List.of(), Map.of("framework", "pt"));

        // 35 characters + 5 spaces = 40.
        assertThat(Files.readAllBytes(file))
                .isEqualTo(concat(
                        new byte[] {40, 0, 0, 0, 0, 0, 0, 0}, ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")));
    }

    @Test
    void tensorsAreOrderedByDecreasingAlignmentThenName() throws IOException {
        Path file = dir.resolve("mixed.safetensors");
        SafeTensors.write(
                file,
                List.of(
                        TensorEntry.ofUnsignedBytes("mask", new long[] {3}, new byte[] {1, 2, 3}),
                        TensorEntry.ofFloats("w", new long[] {2}, new float[] {1f, -2f}),
                        TensorEntry.ofLongs("step", new long[] {}, new long[] {7})));

        // 167 characters + 1 space = 168 = 0xA8; I64 first, then F32, then U8.
        byte[] expected = concat(
                new byte[] {(byte) 0xA8, 0, 0, 0, 0, 0, 0, 0},
                ascii("{\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                        + "\"mask\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[16,19]}} "),
                new byte[] {7, 0, 0, 0, 0, 0, 0, 0},
                new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0},
                new byte[] {1, 2, 3});
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void sameNameOrderForTensorsOfOneType() throws IOException {
        Path file = dir.resolve("names.safetensors");
        SafeTensors.write(
                file,
                List.of(
                        TensorEntry.ofUnsignedBytes("b", new long[] {1}, new byte[] {2}),
                        TensorEntry.ofUnsignedBytes("B", new long[] {1}, new byte[] {1}),
                        TensorEntry.ofUnsignedBytes("a", new long[] {1}, new byte[] {3})));

        assertThat(SafeTensors.read(file).names()).containsExactly("B", "a", "b");
    }

    @Test
    void stringsAreEscapedLikeSerdeJson() throws IOException {
        Path file = dir.resolve("escape.safetensors");
        SafeTensors.write(
                file,
                List.of(TensorEntry.ofUnsignedBytes("x", new long[] {0}, new byte[0])),
                Map.of("a\"b", "line\nnext\ttab\u0001 \u001f café /"));

        // Quote and control characters escaped (lowercase hex), é as raw UTF-8, '/' as is.
        // 116 bytes (é is two) + 4 spaces = 120 = 0x78.
        byte[] expected = concat(
                new byte[] {0x78, 0, 0, 0, 0, 0, 0, 0},
                "{\"__metadata__\":{\"a\\\"b\":\"line\\nnext\\ttab\\u0001 \\u001f café /\"},\"x\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}    "
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        assertThat(SafeTensors.read(file).metadata())
                .containsExactly(Map.entry("a\"b", "line\nnext\ttab\u0001 \u001f café /"));
    }

    @Test
    void metadataKeysAreSortedSoEqualInputsGiveEqualFiles() throws IOException {
        Path first = dir.resolve("1.safetensors");
        Path second = dir.resolve("2.safetensors");
        var forward = new java.util.LinkedHashMap<String, String>();
        forward.put("alpha", "1");
        forward.put("beta", "2");
        var backward = new java.util.LinkedHashMap<String, String>();
        backward.put("beta", "2");
        backward.put("alpha", "1");
        SafeTensors.write(first, List.of(), forward);
        SafeTensors.write(second, List.of(), backward);

        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
        assertThat(SafeTensors.read(first).metadata().keySet()).containsExactly("alpha", "beta");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
