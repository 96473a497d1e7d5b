package dev.spikebit.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Malformed deployed files give a {@link RuntimeModelException} that names the file and what is
 * wrong, and never an OutOfMemoryError: truncated files, wrong sizes and offsets, huge declared
 * shapes, unknown versions, dtypes and layer kinds, missing, extra or misshapen tensors, set
 * padding bits, and graphs whose shapes do not flow.
 */
class MalformedFileTest {
    @TempDir
    Path dir;

    private byte[] good() {
        return TinyModels.bytes(TinyModels.everyKind(1, false));
    }

    private void refused(byte[] bytes, String... fragments) {
        Path file = TinyModels.write(dir, "bad.safetensors", bytes);
        assertThatThrownBy(() -> Model.load(file)).isInstanceOf(RuntimeModelException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContainingAll(fragments);
    }

    private void refused(Consumer<TinyModels.Spec> change, String... fragments) {
        TinyModels.Spec spec = TinyModels.everyKind(1, false);
        change.accept(spec);
        refused(TinyModels.bytes(spec), fragments);
    }

    /** The good file with its header replaced (the data kept). */
    private static byte[] withHeader(byte[] file, String header) {
        long oldLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] data = Arrays.copyOfRange(file, 8 + (int) oldLength, file.length);
        return TinyModels.assemble(header.getBytes(StandardCharsets.UTF_8), List.of(data));
    }

    private static String header(byte[] file) {
        long length = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, (int) length, StandardCharsets.UTF_8);
    }

    @Test
    void theGoodFileLoads() {
        Model model = Model.load(TinyModels.write(dir, "good.safetensors", good()));
        assertThat(model.name()).isEqualTo("tiny");
        assertThat(model.layers()).hasSize(16);
    }

    @Test
    void truncatedFilesAreRefusedAtEveryLength() {
        byte[] good = good();
        for (int length : new int[] {0, 3, 7, 8, 12, 100, good.length / 2, good.length - 1}) {
            Path file = TinyModels.write(dir, "cut.safetensors", Arrays.copyOf(good, length));
            assertThatThrownBy(() -> Model.load(file)).as("cut at " + length).isInstanceOf(RuntimeModelException.class)
                    .hasMessageStartingWith(file.toString());
        }
        refused(Arrays.copyOf(good, 5), "shorter than the 8-byte header length");
        refused(Arrays.copyOf(good, good.length - 1), "data bytes");
    }

    @Test
    void headerLengthsThatDoNotFitAreRefusedBeforeReading() {
        byte[] bytes = good();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        refused(bytes, "header length " + Long.MAX_VALUE, "does not fit");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8);
        refused(bytes, "header length -8");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        refused(bytes, "does not fit");
    }

    @Test
    void hugeDeclaredShapesAndWrongOffsetsAreRefusedBeforeAllocating() {
        byte[] good = good();
        String h = header(good);
        // A shape whose size overflows, one that is merely huge, and offsets outside the data.
        refused(withHeader(good, h.replace("\"shape\":[11,7]", "\"shape\":[4611686018427387904,4]")), "c4.signs",
                "too large");
        refused(withHeader(good, h.replace("\"shape\":[11,7]", "\"shape\":[1000000000,7]")), "c4.signs",
                "needs 7000000000 bytes");
        String offsets = h.substring(h.indexOf("\"data_offsets\":["), h.indexOf("]", h.indexOf("\"data_offsets\":[")) + 1);
        refused(withHeader(good, h.replaceFirst(java.util.regex.Pattern.quote(offsets),
                "\"data_offsets\":[0,99999999999]")), "do not lie inside");
        refused(withHeader(good, h.replace("\"dtype\":\"U8\"", "\"dtype\":\"Q4\"")), "unknown dtype \"Q4\"");
        refused(withHeader(good, h.replace("\"dtype\":\"U8\",", "")), "dtype missing");
        refused(withHeader(good, "{\"x\":1}"), "tensor \"x\" must be an object");
        refused(withHeader(good, "[1,2]  "), "header must be a JSON object");
        refused(withHeader(good, "{\"a\":"), "not valid JSON");
    }

    @Test
    void overlappingOrGappedTensorsAreRefused() {
        TinyModels.Spec spec = TinyModels.everyKind(1, false);
        byte[] good = TinyModels.bytes(spec);
        String h = header(good);
        // Shift the first tensor's range by one byte: it leaves a gap, and the next overlaps it.
        int at = h.indexOf("\"data_offsets\":[0,");
        int end = h.indexOf("]", at);
        String[] range = h.substring(at + "\"data_offsets\":[".length(), end).split(",");
        long stop = Long.parseLong(range[1]);
        String changed = h.substring(0, at) + "\"data_offsets\":[4," + (stop + 4) + "]" + h.substring(end + 1);
        refused(withHeader(good, changed), "starts at data byte");
    }

    @Test
    void unknownVersionsAndKindsAreNamed() {
        refused(s -> s.format = "deployed-2", "\"deployed-2\"", "deployed-1");
        refused(s -> s.graphFormat = "deployed-9", "the layer graph has format \"deployed-9\"");
        refused(s -> s.nodes.set(5, "{\"kind\":\"subbit_conv\",\"name\":\"c4\",\"inChannels\":6}"),
                "node 5 (\"c4\") has unknown kind \"subbit_conv\"");
        refused(s -> s.nodes.set(0, s.nodes.get(0).replace("}", ",\"extra\":1}")), "unknown field \"extra\"");
        refused(s -> s.nodes.set(5, s.nodes.get(5).replace("\"stride\":2", "\"stride\":\"2\"")), "field \"stride\"",
                "whole number");
        refused(s -> s.nodes.set(1, s.nodes.get(1).replace("\"bias\":true", "\"bias\":1")), "true or false");
        refused(s -> s.nodes.set(4, s.nodes.get(4).replace("\"tau\":0.5", "\"tau\":1.5")), "tau is 1.5");
        refused(s -> s.nodes.set(4, s.nodes.get(4).replace("\"real\"", "\"ternary\"")), "output is \"ternary\"");
    }

    @Test
    void tensorsMustMatchTheGraph() {
        refused(s -> s.tensors.remove("s5.bias"), "needs tensor \"s5.bias\"");
        refused(s -> TinyModels.putFloats(s, "stray.tensor", new float[3], 3), "\"stray.tensor\" belongs to no node");
        refused(s -> TinyModels.putFloats(s, "c1.bias", new float[5], 5), "tensor \"c1.bias\" is F32 [5]", "needs F32 [6]");
        refused(s -> s.nodes.set(5, s.nodes.get(5).replace("\"outChannels\":11", "\"outChannels\":2000000000")),
                "tensor \"c4.signs\" is U8 [11, 7]", "needs U8 [2000000000, 7]");
        refused(s -> {
            byte[] bits = s.signs.get("c4.signs");
            bits[6] |= (byte) 0x80; // row 0 has 54 signs: bits 6 and 7 of its 7th byte are padding
        }, "row 0 has padding bits set");
    }

    @Test
    void graphsWhoseShapesDoNotFlowAreRefused() {
        refused(s -> s.inputShape = "[2,100000,100000]", "holds more than");
        refused(s -> s.inputShape = "[3,9,9]", "node \"n0\"");
        refused(s -> s.inputShape = "[2,9]", "inputShape must be [C, H, W]");
        refused(s -> s.numClasses = 7, "expected [7]");
        refused(s -> s.nodes.remove(3), "neuron \"s3\" comes before the repeat node"); // removes repeat
        refused(s -> s.nodes.add(0, "{\"kind\":\"mean_over_time\",\"name\":\"early\"}"), "must be the last node");
        refused(s -> s.nodes.set(5, s.nodes.get(5).replace("\"padding\":1", "\"padding\":2147483647")),
                "node \"c4\"");
        refused(s -> s.timeSteps = 0, "timeSteps");
    }
}
