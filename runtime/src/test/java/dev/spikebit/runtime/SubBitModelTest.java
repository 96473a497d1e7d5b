package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.runtime.graph.Layer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A tiny {@code deployed-2} network with two sub-bit convolutions (strides 2 and 1, eta 3 and 2)
 * among the other node kinds: the reader decodes the code streams of docs/s2nn.md 6 to the codes
 * written; the runtime gives the logits and operation counts of the plain scalar executor on every
 * path, and the logits of the {@code deployed-1} twin in which each sub-bit node is the sign
 * convolution of its written-out signs; the information it reports counts the codes' bits.
 */
class SubBitModelTest {
    @TempDir
    Path dir;

    private Model load(SubBitTinyModels.Network network, String name) {
        return Model.load(TinyModels.write(dir, name, TinyModels.bytes(network.spec())));
    }

    private static Layer.CodewordConv node(Model model, String name) {
        return model.layers().stream()
                .filter(l -> l.name().equals(name))
                .map(Layer.CodewordConv.class::cast)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void theCodeStreamsOfTheSpecificationAreRead() {
        // docs/s2nn.md 6: codebook ids [16, 495, ...] start with bytes 0x10, 0xDE, 0x03.
        assertThat(SubBitTinyModels.pack(new int[] {16, 495}, 9)).containsExactly(0x10, 0xDE, 0x03);
        var network = SubBitTinyModels.network(11, false, false);
        Model model = load(network, "subbit.safetensors");
        for (String name : new String[] {"w4", "w6"}) {
            SubBitTinyModels.Codes written = network.codes().get(name);
            Layer.CodewordConv read = node(model, name);
            assertThat(read.eta()).isEqualTo(written.eta());
            assertThat(read.codebook()).containsExactly(written.codebook());
            int[] indices = new int[read.indices().length];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = read.indices()[i] & 0xFF;
            }
            assertThat(indices).containsExactly(written.indices());
            assertThat(read.negate()).containsExactly(written.negate());
        }
        assertThat(node(model, "w4").stride()).isEqualTo(2);
        assertThat(model.outputShapes().get(5)).containsExactly(11, 5, 5);
    }

    @ParameterizedTest(name = "binary first spikes: {0}")
    @ValueSource(booleans = {false, true})
    void everyPathGivesTheReferenceLogitsAndCounts(boolean binary) {
        var network = SubBitTinyModels.network(7, binary, false);
        Model model = load(network, "subbit.safetensors");
        Model twin = load(SubBitTinyModels.network(7, binary, true), "signs.safetensors");
        int batch = 4;
        float[] x = TinyModels.images(batch, 3);
        ReferenceCounts counts = new ReferenceCounts(model.graph());
        float[] expected = ReferenceExecutor.run(model.graph(), x, batch, counts);
        float max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).as("the network is not silent").isGreaterThan(0.01f);
        float[] signs = twin.infer(x, batch, ExecutionPath.DENSE).logits();
        for (ExecutionPath path : ExecutionPath.values()) {
            Inference run = model.infer(x, batch, path);
            assertThat(TinyModels.relativeError(expected, run.logits()))
                    .as("vs the scalar executor, path " + path)
                    .isLessThanOrEqualTo(1e-5);
            assertThat(TinyModels.relativeError(signs, run.logits()))
                    .as("vs the sign_conv twin, path " + path)
                    .isLessThanOrEqualTo(1e-5);
            for (LayerStats s : run.layers()) {
                if (s.kind().contains("conv") || s.kind().contains("linear")) {
                    int index = indexOf(model, s.name());
                    assertThat(s.adds() + s.multiplies())
                            .as(s.name())
                            .isCloseTo(counts.perImage(index, batch), within(1e-6));
                }
            }
            LayerStats w4 = run.layers().stream()
                    .filter(l -> l.name().equals("w4"))
                    .findFirst()
                    .orElseThrow();
            assertThat(w4.kind()).isEqualTo("codeword_conv");
            assertThat(w4.multiplies()).isZero();
            assertThat(w4.adds()).isPositive();
            assertThat(w4.denseRuns()).as("one dense run per image and step").isEqualTo(batch * 3L);
        }
    }

    @Test
    void countsTakeTheCheaperOfDirectAndCodewordReuse() {
        var network = SubBitTinyModels.network(7, false, false);
        Path file = TinyModels.write(dir, "subbit.safetensors", TinyModels.bytes(network.spec()));
        Plan plan = new Plan(dev.spikebit.runtime.io.DeployedReader.read(file));
        int w6 = indexOf(Model.load(file), "w6");
        // w6: 11 -> 7 channels, eta 2, output 7 x 5 x 5. With every input non-zero the direct count
        // is 7 * 11 * 169 (169 windows cover the 5 x 5 inputs in all); codeword reuse is
        // 4 * 11 * 169 + 175 * 11, the cheaper. With few inputs the direct count is.
        assertThat(plan.codewordAdds(w6, 7 * 11 * 169)).isEqualTo(4 * 11 * 169 + 175 * 11);
        assertThat(plan.codewordAdds(w6, 7 * 30)).isEqualTo(7 * 30);

        // Run on images, each sub-bit layer counts no more than its sign_conv twin (the direct count).
        Model model = Model.load(file);
        Model twin = load(SubBitTinyModels.network(7, false, true), "signs.safetensors");
        float[] x = TinyModels.images(6, 9);
        var counted = model.infer(x, 6, ExecutionPath.AUTO).layers();
        var direct = twin.infer(x, 6, ExecutionPath.AUTO).layers();
        for (int i = 0; i < counted.size(); i++) {
            if (counted.get(i).kind().equals("codeword_conv")) {
                assertThat(counted.get(i).adds())
                        .isLessThanOrEqualTo(direct.get(i).adds())
                        .isPositive();
            }
        }
    }

    @Test
    void informationCountsTheCodebooksIndicesAndNegations() {
        Model model = load(SubBitTinyModels.network(5, false, false), "subbit.safetensors");
        Model twin = load(SubBitTinyModels.network(5, false, true), "signs.safetensors");
        // The twin holds the sign rows instead: 11 * 6 * 9 and 7 * 11 * 9 one-bit weights.
        long signBits = 11L * 6 * 9 + 7L * 11 * 9;
        long codeBits = (8 * 9 + 11 * 6 * 3 + 11) + (4 * 9 + 7 * 11 * 2 + 7);
        long twinBits = 8 * twin.informationBytes();
        long bits = twinBits - signBits + codeBits;
        assertThat(model.informationBytes()).isBetween((bits + 7) / 8 - 1, (bits + 7) / 8);
        assertThat(model.informationBytes()).isLessThan(twin.informationBytes());
    }

    private static int indexOf(Model model, String name) {
        for (int i = 0; i < model.layers().size(); i++) {
            if (model.layers().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name);
    }
}
