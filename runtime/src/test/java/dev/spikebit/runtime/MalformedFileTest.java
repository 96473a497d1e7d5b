package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed deployed files give a {@link RuntimeModelException} that names the file and what is
 * wrong, and never an OutOfMemoryError: truncated files, wrong sizes and offsets, huge declared
 * shapes, unknown versions, dtypes and layer kinds, missing, extra or misshapen tensors, set
 * padding bits, graphs whose shapes do not flow, and sub-bit nodes ({@code codeword_conv},
 * docs/s2nn.md 6) with wrong code streams, eta or kernel, or in a {@code deployed-1} file.
 */
class MalformedFileTest {
    @TempDir
    Path dir;

    private byte[] good() {
        return TinyModels.bytes(TinyModels.everyKind(1, false));
    }

    private void refused(byte[] bytes, String... fragments) {
        Path file = TinyModels.write(dir, "bad.safetensors", bytes);
        assertThatThrownBy(() -> Model.load(file))
                .isInstanceOf(RuntimeModelException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContainingAll(fragments);
    }

    private void refused(Consumer<TinyModels.Spec> change, String... fragments) {
        TinyModels.Spec spec = TinyModels.everyKind(1, false);
        change.accept(spec);
        refused(TinyModels.bytes(spec), fragments);
    }

    /** The good file with its header replaced (the data kept). */
    private static byte[] withHeader(byte[] file, String header) {
        long oldLength =
                ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
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
            assertThatThrownBy(() -> Model.load(file))
                    .as("cut at " + length)
                    .isInstanceOf(RuntimeModelException.class)
                    .hasMessageStartingWith(file.toString());
        }
        refused(Arrays.copyOf(good, 5), "too short for the 8-byte header length");
        refused(Arrays.copyOf(good, good.length - 1), "run past the end of the data section");
    }

    @Test
    void headerLengthsThatDoNotFitAreRefusedBeforeReading() {
        byte[] bytes = good();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        refused(bytes, "header length " + Long.MAX_VALUE, "is over the 100000000-byte limit");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8);
        refused(bytes, "header length 18446744073709551608"); // -8 as the u64 the format reads
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        refused(bytes, "runs past the end of the file");
    }

    @Test
    void hugeDeclaredShapesAndWrongOffsetsAreRefusedBeforeAllocating() {
        byte[] good = good();
        String h = header(good);
        // A shape whose size overflows, one that is merely huge, and offsets outside the data.
        refused(
                withHeader(good, h.replace("\"shape\":[11,7]", "\"shape\":[4611686018427387904,4]")),
                "c4.signs",
                "has more bytes than fit in 64 bits");
        refused(
                withHeader(good, h.replace("\"shape\":[11,7]", "\"shape\":[1000000000,7]")),
                "c4.signs",
                "needs 7000000000");
        String offsets =
                h.substring(h.indexOf("\"data_offsets\":["), h.indexOf("]", h.indexOf("\"data_offsets\":[")) + 1);
        refused(
                withHeader(
                        good,
                        h.replaceFirst(java.util.regex.Pattern.quote(offsets), "\"data_offsets\":[0,99999999999]")),
                "run past the end of the data section");
        refused(
                withHeader(good, h.replace("\"dtype\":\"U8\"", "\"dtype\":\"Q4\"")),
                "unknown or unsupported dtype \"Q4\"");
        refused(withHeader(good, h.replace("\"dtype\":\"U8\",", "")), "missing field \"dtype\"");
        refused(withHeader(good, "{\"x\":1}"), "tensor \"x\": expected an object");
        refused(withHeader(good, "[1,2]  "), "the header must be a JSON object");
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
        refused(withHeader(good, changed), "belong to no tensor");
    }

    @Test
    void unknownVersionsAndKindsAreNamed() {
        refused(
                s -> s.format = "deployed-3",
                "metadata spikebit.format is \"deployed-3\"",
                "this runtime reads \"deployed-1\" and \"deployed-2\"");
        refused(
                s -> s.format = "deployed-2",
                "the layer graph has format \"deployed-1\" but the file's metadata says " + "\"deployed-2\"");
        refused(s -> s.graphFormat = "deployed-9", "the layer graph has format \"deployed-9\"");
        refused(
                s -> s.nodes.set(5, "{\"kind\":\"subbit_conv\",\"name\":\"c4\",\"inChannels\":6}"),
                "node 5 (\"c4\") has unknown kind \"subbit_conv\"");
        refused(s -> s.nodes.set(0, s.nodes.get(0).replace("}", ",\"extra\":1}")), "unknown field \"extra\"");
        refused(
                s -> s.nodes.set(5, s.nodes.get(5).replace("\"stride\":2", "\"stride\":\"2\"")),
                "field \"stride\"",
                "whole number");
        refused(s -> s.nodes.set(1, s.nodes.get(1).replace("\"bias\":true", "\"bias\":1")), "true or false");
        refused(s -> s.nodes.set(4, s.nodes.get(4).replace("\"tau\":0.5", "\"tau\":1.5")), "tau is 1.5");
        refused(s -> s.nodes.set(4, s.nodes.get(4).replace("\"real\"", "\"ternary\"")), "output is \"ternary\"");
    }

    @Test
    void tensorsMustMatchTheGraph() {
        refused(s -> s.tensors.remove("s5.bias"), "needs tensor \"s5.bias\"");
        refused(s -> TinyModels.putFloats(s, "stray.tensor", new float[3], 3), "\"stray.tensor\" belongs to no node");
        refused(
                s -> TinyModels.putFloats(s, "c1.bias", new float[5], 5),
                "tensor \"c1.bias\" is F32 [5]",
                "needs F32 [6]");
        refused(
                s -> s.nodes.set(5, s.nodes.get(5).replace("\"outChannels\":11", "\"outChannels\":2000000000")),
                "tensor \"c4.signs\" is U8 [11, 7]",
                "needs U8 [2000000000, 7]");
        refused(
                s -> {
                    byte[] bits = s.signs.get("c4.signs");
                    bits[6] |= (byte) 0x80; // row 0 has 54 signs: bits 6 and 7 of its 7th byte are padding
                },
                "row 0 has padding bits set");
    }

    @Test
    void graphsWhoseShapesDoNotFlowAreRefused() {
        refused(s -> s.inputShape = "[2,100000,100000]", "holds more than");
        refused(s -> s.inputShape = "[3,9,9]", "node \"n0\"");
        refused(s -> s.inputShape = "[2,9]", "inputShape must be [C, H, W]");
        refused(s -> s.numClasses = 7, "expected [7]");
        refused(s -> s.nodes.remove(3), "neuron \"s3\" comes before the repeat node"); // removes repeat
        refused(s -> s.nodes.add(0, "{\"kind\":\"mean_over_time\",\"name\":\"early\"}"), "must be the last node");
        refused(s -> s.nodes.set(5, s.nodes.get(5).replace("\"padding\":1", "\"padding\":2147483647")), "node \"c4\"");
        refused(s -> s.timeSteps = 0, "timeSteps 0, expected 1..1000");
        // A damaged T is refused before any tensor is read, not run a billion times.
        refused(s -> s.timeSteps = 1_000_000_000, "the layer graph has timeSteps 1000000000, expected 1..1000");
    }

    /** The sub-bit network of {@link SubBitTinyModels}, changed. */
    private void refusedSubBit(Consumer<TinyModels.Spec> change, String... fragments) {
        TinyModels.Spec spec = SubBitTinyModels.network(1, false, false).spec();
        change.accept(spec);
        refused(TinyModels.bytes(spec), fragments);
    }

    /** Replaces {@code from} by {@code to} in the JSON of node {@code name}. */
    private static void editNode(TinyModels.Spec s, String name, String from, String to) {
        for (int i = 0; i < s.nodes.size(); i++) {
            if (s.nodes.get(i).contains("\"name\":\"" + name + "\"")) {
                assertThat(s.nodes.get(i)).contains(from);
                s.nodes.set(i, s.nodes.get(i).replace(from, to));
                return;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void subBitNodesAreChecked() {
        Model good = Model.load(TinyModels.write(
                dir,
                "good2.safetensors",
                TinyModels.bytes(SubBitTinyModels.network(1, false, false).spec())));
        assertThat(good.layers().stream().filter(l -> l.kind().equals("codeword_conv")))
                .hasSize(2);

        // Only in deployed-2, and the graph's format must agree with the metadata's.
        refusedSubBit(
                s -> {
                    s.format = "deployed-1";
                    s.graphFormat = "deployed-1";
                },
                "node 5 (\"w4\", codeword_conv): codeword_conv needs format \"deployed-2\", the file is \"deployed-1\"");
        refusedSubBit(
                s -> s.graphFormat = "deployed-1",
                "the layer graph has format \"deployed-1\"",
                "metadata says \"deployed-2\"");
        // eta and kernel, checked before any tensor is looked at.
        refusedSubBit(
                s -> editNode(s, "w4", "\"eta\":3", "\"eta\":0"),
                "node 5 (\"w4\", codeword_conv): eta is 0, " + "expected 1..8");
        refusedSubBit(s -> editNode(s, "w4", "\"eta\":3", "\"eta\":9"), "eta is 9, expected 1..8");
        refusedSubBit(s -> editNode(s, "w4", "\"eta\":3", "\"eta\":40"), "eta is 40, expected 1..8");
        refusedSubBit(
                s -> editNode(s, "w4", "\"kernel\":3", "\"kernel\":5"), "kernel is 5, a codeword_conv is 3x3 only");
        refusedSubBit(s -> editNode(s, "w4", "\"eta\":3", "\"eta\":3,\"bits\":1"), "unknown field \"bits\"");
        // Residual connections (docs/reverb.md 3): named inputs must exist, come earlier and fit.
        refusedSubBit(
                s -> editNode(s, "w6", "\"eta\":2", "\"eta\":2,\"inputs\":[\"s3\"]"),
                "node \"w6\" (codeword_conv) cannot take input [6, 9, 9]");
        refusedSubBit(
                s -> editNode(s, "w4", "\"eta\":3", "\"eta\":3,\"inputs\":[\"w6\"]"),
                "codeword_conv \"w4\" reads \"w6\"",
                "does not come before it");
        refusedSubBit(
                s -> editNode(s, "w4", "\"eta\":3", "\"eta\":3,\"inputs\":[\"nowhere\"]"),
                "reads \"nowhere\", which is no node of the graph");
        refusedSubBit(
                s -> s.nodes.add(8, "{\"kind\":\"add\",\"name\":\"sum\"}"),
                "node 8 (\"sum\", add): missing field \"inputs\"");
        refusedSubBit(
                s -> s.nodes.add(8, "{\"kind\":\"add\",\"name\":\"sum\",\"inputs\":[\"s5\"]}"),
                "add \"sum\" has 1 inputs [s5], expected 2");
        refused(
                s -> s.nodes.set(5, s.nodes.get(5).replace("{", "{\"inputs\":[\"repeat\"],")),
                "field \"inputs\" (a residual connection, docs/reverb.md 3) needs format \"deployed-2\"");
        // Code streams of the wrong size: 8 codewords of 9 bits are 9 bytes, 11 x 6 indices of 3 bits 25.
        refusedSubBit(
                s -> SubBitTinyModels.putCodes(s, "w4.codebook", new byte[8]),
                "tensor \"w4.codebook\" is U8 [8]",
                "needs U8 [9]");
        refusedSubBit(
                s -> SubBitTinyModels.putCodes(s, "w4.indices", new byte[26]),
                "tensor \"w4.indices\" is U8 [26]",
                "needs U8 [25]");
        refusedSubBit(
                s -> s.tensors.put(
                        "w4.indices", new TinyModels.Tensor("w4.indices", "U8", new long[] {5, 5}, new byte[25])),
                "tensor \"w4.indices\" is U8 [5, 5]",
                "needs U8 [25]");
        refusedSubBit(s -> s.tensors.remove("w6.negate"), "needs tensor \"w6.negate\" (U8 [1])");
        // A codebook that does not match eta (eta 2 declared, the 8 codewords of eta 3 written).
        refusedSubBit(
                s -> editNode(s, "w4", "\"eta\":3", "\"eta\":2"), "tensor \"w4.codebook\" is U8 [9]", "needs U8 [5]");
        // Huge declared sizes fail against the file, before anything is allocated.
        refusedSubBit(
                s -> editNode(s, "w4", "\"outChannels\":11", "\"outChannels\":2000000000"),
                "2000000000 x 6 kernels is too many");
        refusedSubBit(
                s -> editNode(s, "w4", "\"outChannels\":11", "\"outChannels\":200000000"),
                "tensor \"w4.indices\" is U8 [25]",
                "needs U8 [450000000]");
        // Padding bits after the last code: 4 x 9 = 36 codebook bits in 5 bytes, 7 x 11 x 2 = 154
        // index bits in 20 bytes, 7 negation bits in 1 byte.
        refusedSubBit(
                s -> SubBitTinyModels.bytesOf(s, "w6.codebook")[4] |= (byte) 0x10,
                "tensor \"w6.codebook\" has padding bits set after its 4 codes of 9 bits");
        refusedSubBit(
                s -> SubBitTinyModels.bytesOf(s, "w6.indices")[19] |= (byte) 0x40,
                "tensor \"w6.indices\" has padding bits set after its 77 codes of 2 bits");
        refusedSubBit(
                s -> SubBitTinyModels.bytesOf(s, "w6.negate")[0] |= (byte) 0x80,
                "tensor \"w6.negate\" has padding bits set after its 7 codes of 1 bits");
        // The codes themselves: a pattern twice in the codebook. An index cannot point past the
        // codebook in a file (eta-bit codes, 2^eta codewords); Layer.CodewordConv still checks it
        // (CodewordConvKernelTest).
        refusedSubBit(
                s -> SubBitTinyModels.putCodes(s, "w6.codebook", SubBitTinyModels.pack(new int[] {7, 300, 7, 511}, 9)),
                "codeword_conv \"w6\": pattern 7 appears twice in the codebook (codeword 2)");
        // The shape rule is sign_conv's.
        refusedSubBit(
                s -> {
                    editNode(s, "w4", "\"stride\":2", "\"stride\":5");
                    editNode(s, "w6", "\"padding\":1", "\"padding\":0");
                },
                "node \"w6\" (codeword_conv) cannot take input [11, 2, 2]: the window 3 is larger than the padded input 2");
    }
}
