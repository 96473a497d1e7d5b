package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.runtime.RuntimeModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyTypeAndShapeComesBackAsWritten() {
        var random = new SplittableRandom(7);
        List<TensorEntry> written = List.of(
                TensorEntry.ofFloats("conv1.weight", new long[] {4, 1, 3, 3}, randomFloats(random, 36)),
                TensorEntry.ofFloats("threshold", new long[] {}, new float[] {0.5f}),
                TensorEntry.ofFloats("unused", new long[] {3, 0, 2}, new float[0]),
                TensorEntry.ofInts(
                        "labels", new long[] {5}, new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 9}),
                TensorEntry.ofLongs("step", new long[] {}, new long[] {Long.MIN_VALUE + 3}),
                TensorEntry.ofUnsignedBytes(
                        "packed.signs", new long[] {2, 3}, new byte[] {(byte) 0xFF, 0, 1, (byte) 0x80, 42, 7}),
                TensorEntry.ofRawBytes("mask", DType.BOOL, new long[] {3}, new byte[] {1, 0, 1}),
                TensorEntry.ofRawBytes("half", DType.F16, new long[] {3}, randomBytes(random, 6)),
                TensorEntry.ofRawBytes("brain", DType.BF16, new long[] {1, 1}, randomBytes(random, 2)),
                TensorEntry.ofRawBytes("double", DType.F64, new long[] {2}, randomBytes(random, 16)),
                TensorEntry.ofRawBytes("small", DType.I8, new long[] {0}, new byte[0]),
                TensorEntry.ofRawBytes("odd", DType.U8, new long[] {5}, randomBytes(random, 5)));
        var metadata = new LinkedHashMap<String, String>();
        metadata.put("format", "pt");
        metadata.put("spikebit.model", "{\"layers\":[{\"type\":\"conv\",\"out\":4}],\"note\":\"ünïcødé\"}");
        Path file = dir.resolve("model.safetensors");

        SafeTensors.write(file, written, metadata);
        SafeTensorsFile read = SafeTensors.read(file);

        assertThat(read.source()).isEqualTo(file);
        assertThat(read.tensors().values()).containsExactlyInAnyOrderElementsOf(written);
        assertThat(read.metadata()).isEqualTo(metadata);
        assertThat(read.floats("conv1.weight"))
                .containsExactly(written.getFirst().toFloats());
        assertThat(read.tensor("threshold").rank()).isZero();
        assertThat(read.tensor("threshold").elementCount()).isEqualTo(1);
        assertThat(read.tensor("unused").elementCount()).isZero();
        assertThat(read.tensor("labels").toInts()).containsExactly(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 9);
        assertThat(read.tensor("step").toLongs()).containsExactly(Long.MIN_VALUE + 3);
        assertThat(read.tensor("packed.signs").toBytes()).containsExactly(0xFF, 0, 1, 0x80, 42, 7);
    }

    @Test
    void longNamesAndMetadataRoundTrip() {
        // Past Jackson's default limit on the length of a field name (50,000 characters).
        String name = "layer.".repeat(10_000) + "weight";
        String value = "x".repeat(1 << 20);
        Path file = dir.resolve("long.safetensors");

        SafeTensors.write(
                file, List.of(TensorEntry.ofFloats(name, new long[] {1}, new float[] {4})), Map.of(name, value));
        SafeTensorsFile read = SafeTensors.read(file);

        assertThat(read.floats(name)).containsExactly(4);
        assertThat(read.metadata(name)).isEqualTo(value);
    }

    @Test
    void everyTensorStartsAlignedToItsElementSize() {
        Path file = dir.resolve("aligned.safetensors");
        SafeTensors.write(
                file,
                List.of(
                        TensorEntry.ofUnsignedBytes("a", new long[] {3}, new byte[3]),
                        TensorEntry.ofRawBytes("b", DType.F16, new long[] {1}, new byte[2]),
                        TensorEntry.ofFloats("c", new long[] {1}, new float[1]),
                        TensorEntry.ofRawBytes("d", DType.F64, new long[] {1}, new byte[8]),
                        TensorEntry.ofInts("e", new long[] {3}, new int[3])));

        SafeTensorsHeader header = SafeTensors.readHeader(file);

        assertThat(header.dataStart() % 8).isZero();
        for (TensorInfo info : header.tensors()) {
            assertThat((header.dataStart() + info.begin()) % info.dtype().byteSize())
                    .as(info.name())
                    .isZero();
        }
        assertThat(header.tensors()).extracting(TensorInfo::name).containsExactly("d", "c", "e", "b", "a");
        assertThat(header.dataSize()).isEqualTo(8 + 4 + 12 + 2 + 3);
    }

    @Test
    void tensorsLargerThanTheCopyBufferStreamThrough() {
        // A few MiB: several trips through the 1 MiB copy buffer, plus a partial one.
        float[] values = randomFloats(new SplittableRandom(11), 3 * (1 << 18) + 5);
        Path file = dir.resolve("large.safetensors");

        SafeTensors.write(file, List.of(TensorEntry.ofFloats("big", new long[] {values.length}, values)));

        assertThat(SafeTensors.read(file).floats("big")).isEqualTo(values);
    }

    @Test
    void floatsAreStoredLittleEndian() {
        var entry = TensorEntry.ofFloats("x", new long[] {2}, new float[] {1.5f, -0.25f});
        ByteBuffer expected = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(1.5f)
                .putFloat(-0.25f);

        assertThat(entry.toBytes()).containsExactly(expected.array());
    }

    @Test
    void headerOnlyReadListsTensorsWithoutTheirBytes() {
        Path file = dir.resolve("h.safetensors");
        SafeTensors.write(file, List.of(TensorEntry.ofFloats("w", new long[] {2, 2}, new float[4])), Map.of("k", "v"));

        SafeTensorsHeader header = SafeTensors.readHeader(file);

        assertThat(header.tensors()).containsExactly(new TensorInfo("w", DType.F32, new long[] {2, 2}, 0, 16));
        assertThat(header.metadata()).containsExactly(Map.entry("k", "v"));
    }

    @Test
    void writingReplacesThePreviousFile() {
        Path file = dir.resolve("ckpt.safetensors");
        SafeTensors.write(file, List.of(TensorEntry.ofFloats("w", new long[] {1}, new float[] {1})));
        SafeTensors.write(file, List.of(TensorEntry.ofFloats("w", new long[] {2}, new float[] {2, 3})));

        assertThat(SafeTensors.read(file).floats("w")).containsExactly(2, 3);
    }

    @Test
    void lookupsNameTheFileAndWhatIsThere() {
        Path file = dir.resolve("small.safetensors");
        SafeTensors.write(file, List.of(TensorEntry.ofInts("ids", new long[] {1}, new int[] {3})));
        SafeTensorsFile read = SafeTensors.read(file);

        assertThatThrownBy(() -> read.tensor("weights"))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessage(file + ": no tensor \"weights\"; the file holds \"ids\"");
        assertThatThrownBy(() -> read.floats("ids"))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessage(file + ": tensor \"ids\" is I32, expected F32");
        assertThatThrownBy(() -> read.metadata("model"))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessageStartingWith(file + ": no \"model\"");
        assertThat(read.find("weights")).isEmpty();
    }

    @Test
    void duplicateOrReservedNamesAreRefusedBeforeAnythingIsWritten() {
        Path file = dir.resolve("dup.safetensors");
        var one = TensorEntry.ofFloats("w", new long[] {1}, new float[1]);

        assertThatThrownBy(() -> SafeTensors.write(file, List.of(one, one)))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessage(file + ": two tensors are named \"w\"");
        assertThatThrownBy(() -> SafeTensors.write(
                        file, List.of(TensorEntry.ofFloats("__metadata__", new long[] {1}, new float[1]))))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessageStartingWith(file + ": \"__metadata__\" is reserved");
        assertThat(file).doesNotExist();
    }

    @Test
    void entryRefusesDataThatDoesNotMatchItsShape() {
        assertThatThrownBy(() -> TensorEntry.ofFloats("w", new long[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor \"w\": F32 shape [2, 3] needs 24 bytes but the data holds 20");
        assertThatThrownBy(() -> TensorEntry.ofFloats("w", new long[] {-1}, new float[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        TensorEntry.ofInts("i", new long[] {1}, new int[1]).toFloats())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tensor \"i\" is I32, not F32");
    }

    @Test
    void entriesCompareByContent() {
        var a = TensorEntry.ofFloats("w", new long[] {2}, new float[] {1, 2});
        var b = TensorEntry.ofRawBytes("w", DType.F32, new long[] {2}, a.toBytes());
        var c = TensorEntry.ofFloats("w", new long[] {2}, new float[] {1, 3});

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
    }

    private static float[] randomFloats(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}
