package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.spikebit.runtime.RuntimeModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile files: each is refused with a {@link RuntimeModelException} that starts with the
 * file's path and says what is wrong, before anything is allocated on the file's word.
 */
@Timeout(10)
class SafeTensorsValidationTest {

    @TempDir
    Path dir;

    @Test
    void validHandMadeFileIsAccepted() throws IOException {
        Path file = file("{\"w\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16);

        assertThat(SafeTensors.read(file).tensor("w").toInts()).containsExactly(0, 0, 0, 0);
    }

    @Test
    void unpaddedHeadersAreAccepted() throws IOException {
        // The format does not require padding.
        Path file = file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);

        assertThat(SafeTensors.read(file).tensor("w").toBytes()).containsExactly(0);
    }

    @Test
    void unknownTensorFieldsAreRefused() throws IOException {
        // The reference ignores them; spikebit reads strictly and names the field.
        Path file = file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"note\":1}}", 1);

        assertFails(file, "tensor \"w\": unknown field \"note\"");
    }

    @Test
    void wholeNumbersWrittenWithAFractionOrAnExponentAreRefused() throws IOException {
        assertFails(
                file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1.0]}}", 1),
                "tensor \"w\": \"data_offsets\" must be an array of 2 non-negative integers, found 1.0 (written with a fraction or an exponent) at index 1");
        assertFails(
                file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1e0],\"data_offsets\":[0,1]}}", 1),
                "\"shape\" must be an array of non-negative integers, found 1 (written with a fraction or an exponent) at index 0");
    }

    // --- the header length ---

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = write("short.safetensors", new byte[] {1, 2, 3});

        assertFails(file, "the file is 3 bytes, too short for the 8-byte header length that starts a safetensors file");
    }

    @Test
    void emptyFile() throws IOException {
        assertFails(write("empty.safetensors", new byte[0]), "the file is 0 bytes");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        Path file = write("cut.safetensors", concat(le64(1000), "{}".getBytes(StandardCharsets.US_ASCII)));

        assertFails(file, "header length 1000 runs past the end of the file, which has 2 bytes after the length field");
    }

    @Test
    void headerLengthOverTheFormatLimitIsRefusedBeforeReadingIt() throws IOException {
        // 90 MB declared would fit the limit but not the file; 200 MB is over the limit.
        assertFails(
                write("a.safetensors", concat(le64(90_000_000), new byte[92])),
                "header length 90000000 runs past the end");
        assertFails(
                write("b.safetensors", concat(le64(200_000_000), new byte[92])),
                "header length 200000000 is over the 100000000-byte limit");
    }

    @Test
    void headerLengthIsUnsigned() throws IOException {
        assertFails(
                write("neg.safetensors", concat(le64(-1), new byte[8])),
                "header length 18446744073709551615 is over the 100000000-byte limit");
    }

    @Test
    void emptyHeader() throws IOException {
        assertFails(write("zero.safetensors", le64(0)), "the header is empty; expected a JSON object");
    }

    // --- the JSON ---

    @Test
    void headerNotStartingWithABrace() throws IOException {
        assertFails(file(" {}", 0), "the header must be a JSON object starting with '{' but starts with ' '");
        assertFails(file("[]", 0), "the header must be a JSON object starting with '{' but starts with '['");
    }

    @Test
    void headerNotValidJson() throws IOException {
        Path file = file("{\"w\": {\"dtype\": \"F32\",", 0);

        RuntimeModelException e = failure(file);
        assertThat(e.getMessage()).startsWith(file + ": the header is not valid JSON");
        assertThat(e.getMessage()).doesNotContain("\tat ").doesNotContain("com.fasterxml");
    }

    @Test
    void trailingGarbageAfterTheObject() throws IOException {
        assertFails(file("{} x", 0), "the header is not valid JSON");
    }

    @Test
    void headerNotValidUtf8() throws IOException {
        byte[] header = concat(
                "{\"".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xC3, 0x28},
                "\":1}".getBytes(StandardCharsets.US_ASCII));
        Path file = write("utf.safetensors", concat(le64(header.length), header));

        assertFails(file, "the header is not valid UTF-8");
    }

    @Test
    void duplicateTensorName() throws IOException {
        String tensor = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        assertFails(file("{\"w\":" + tensor + ",\"w\":" + tensor + "}", 1), "duplicate key \"w\"");
    }

    // --- metadata ---

    @Test
    void metadataMustBeAnObjectOfStrings() throws IOException {
        assertFails(file("{\"__metadata__\":[1]}", 0), "\"__metadata__\" must be an object of strings, found [1]");
        assertFails(
                file("{\"__metadata__\":{\"epoch\":3}}", 0),
                "\"__metadata__\" value of \"epoch\" must be a string, found 3");
    }

    // --- one tensor's fields ---

    @Test
    void tensorMustBeAnObject() throws IOException {
        assertFails(
                file("{\"w\":[0,4]}", 0),
                "tensor \"w\": expected an object with dtype, shape and data_offsets, found [0,4]");
    }

    @Test
    void missingFieldsAreNamed() throws IOException {
        assertFails(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor \"w\": missing field \"dtype\"");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor \"w\": missing field \"shape\"");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor \"w\": missing field \"data_offsets\"");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        assertFails(
                file("{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": unknown or unsupported dtype \"F17\"; spikebit reads [BOOL, U8");
        assertFails(
                file("{\"w\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1),
                "tensor \"w\": unknown or unsupported dtype \"F4\"");
        assertFails(
                file("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": \"dtype\" must be a string such as \"F32\", found 32");
    }

    @Test
    void shapeEntriesMustBeNonNegativeIntegers() throws IOException {
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": \"shape\" must be an array of non-negative integers, found -1 at index 1");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": \"shape\" must be an array of non-negative integers, found 1.5 at index 0");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", 4),
                "found 99999999999999999999 at index 0");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":\"2x2\",\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": \"shape\" must be an array of non-negative integers, found \"2x2\"");
    }

    @Test
    void shapeWhoseSizeOverflows() throws IOException {
        long big = 1L << 40;
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + big + "," + big + "],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": shape [1099511627776, 1099511627776] of F32 has more bytes than fit in 64 bits");
        // Elements fit, bytes do not.
        assertFails(
                file("{\"w\":{\"dtype\":\"F64\",\"shape\":[" + (Long.MAX_VALUE / 4) + "],\"data_offsets\":[0,4]}}", 4),
                "has more bytes than fit in 64 bits");
    }

    @Test
    void dataOffsetsMustBeTwoOrderedIntegers() throws IOException {
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
                "tensor \"w\": \"data_offsets\" must be an array of 2 non-negative integers, found [0]");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4),
                "tensor \"w\": \"data_offsets\" must be an array of 2 non-negative integers, found -4 at index 0");
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4),
                "tensor \"w\": data_offsets [4, 0] end before they begin");
    }

    @Test
    void dataOffsetsInconsistentWithTypeAndShape() throws IOException {
        Path file = dir.resolve("model.safetensors");
        writeTo(file, "{\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[32,1,3,3],\"data_offsets\":[0,400]}}", 400);

        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessage(
                        file
                                + ": tensor \"conv1.weight\": data_offsets [0, 400] hold 400 bytes but F32 shape [32, 1, 3, 3] needs 1152");
    }

    @Test
    void dataOffsetsOutsideTheDataSection() throws IOException {
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
                "tensor \"w\": data_offsets [0, 8] run past the end of the data section, which holds 4 bytes (is the file truncated?)");
    }

    // --- the tensors together ---

    @Test
    void gapBetweenTensors() throws IOException {
        assertFails(
                file(
                        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}",
                        5),
                "data section bytes [2, 3) belong to no tensor: tensor \"b\" begins at 3 but tensor \"a\" ends at 2");
        assertFails(
                file("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3),
                "data section bytes [0, 1) belong to no tensor: tensor \"b\" begins at 1 but the data section begins at 0");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertFails(
                file(
                        "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}",
                        4),
                "tensor \"b\": data_offsets [2, 4] overlap tensor \"a\", which ends at 4");
        // The same bytes claimed twice.
        assertFails(
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        4),
                "overlap tensor");
    }

    @Test
    void trailingBytesBelongingToNoTensor() throws IOException {
        assertFails(
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 5),
                "the tensors cover 2 bytes of data but the file holds 5 after the header: 3 trailing bytes belong to no tensor");
    }

    @Test
    void emptyTensorsTakeNoBytes() throws IOException {
        Path file = file(
                "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[2,2]},"
                        + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                        + "\"s\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[2,3]}}",
                3);

        assertThat(SafeTensors.read(file).names()).containsExactly("a", "e", "s");
    }

    // --- hostile sizes ---

    @Test
    void hugeDeclaredShapeInATinyFileIsRefusedWithoutAllocating() throws IOException {
        // 4e17 bytes declared, consistent with the shape, in a file of exactly 100 bytes.
        String header =
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000,100000],\"data_offsets\":[0,400000000000000000]}}";
        Path file =
                write("huge.safetensors", concat(le64(header.length()), header.getBytes(StandardCharsets.US_ASCII)));
        assertThat(Files.size(file)).isEqualTo(100);

        assertFails(
                file,
                "tensor \"w\": data_offsets [0, 400000000000000000] run past the end of the data section, which holds 0 bytes");
    }

    @Test
    void hugeDeclaredShapeWithSmallOffsetsIsRefused() throws IOException {
        assertFails(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": data_offsets [0, 4] hold 4 bytes but F32 shape [1000000, 1000000] needs 4000000000000");
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("nowhere.safetensors");
        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessage(file + ": cannot read: no such file");
    }

    // --- helpers ---

    private int files;

    /** A file of the header's bytes (no padding) followed by {@code dataBytes} zero bytes. */
    private Path file(String header, int dataBytes) throws IOException {
        Path file = dir.resolve("case" + (files++) + ".safetensors");
        writeTo(file, header, dataBytes);
        return file;
    }

    private static void writeTo(Path file, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Files.write(file, concat(le64(json.length), json, new byte[dataBytes]));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static RuntimeModelException failure(Path file) {
        return catchThrowableOfType(RuntimeModelException.class, () -> SafeTensors.read(file));
    }

    /** Both the full read and the header-only read fail with a message starting with the path. */
    private static void assertFails(Path file, String expected) {
        for (var read : new Runnable[] {() -> SafeTensors.read(file), () -> SafeTensors.readHeader(file)}) {
            assertThatThrownBy(read::run)
                    .isInstanceOf(RuntimeModelException.class)
                    .hasMessageStartingWith(file + ": ")
                    .hasMessageContaining(expected);
        }
    }

    private static byte[] le64(long value) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(value)
                .array();
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
