package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.quant.binary.BinaryLayer;
import dev.spikebit.quant.deploy.ClassifierLayers.NamedLayer;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.io.DType;
import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployed file (format deployed-1, docs/reverb.md): round trip, content, size, and a reader that checks everything. */
class DeployedFormatTest {
    private static SpikingClassifier model;
    private static Graph deployed;
    private static float[] images;

    @TempDir
    Path dir;

    @BeforeAll
    static void deployRandomReverbNetwork() {
        model = RandomModels.calibrated(RandomModels.spec("real", "binary", false), 8);
        deployed = Reparameterizer.deploy(model);
        images = RandomModels.images(new SplittableRandom(1), 6);
    }

    @Test
    void roundTripGivesIdenticalLogits() {
        Path file = dir.resolve("model.safetensors");
        DeployedFormat.save(file, deployed);
        Graph loaded = DeployedFormat.load(file);
        assertThat(loaded.layers())
                .extracting(Layer::name)
                .containsExactlyElementsOf(
                        deployed.layers().stream().map(Layer::name).toList());
        float[] before = ReferenceExecutor.logits(deployed, images, 6);
        float[] after = ReferenceExecutor.logits(loaded, images, 6);
        assertThat(Arrays.equals(before, after)).isTrue();
        assertThat(DeployedFormat.graphJson(loaded)).isEqualTo(DeployedFormat.graphJson(deployed));
    }

    /**
     * Every binary layer is stored as U8 bits that unpack to +-1 and are exactly sign(W) of the
     * training layer, negated in the channels whose folded scale k is negative; besides them a
     * binary layer's node and its neuron hold only per-channel floats.
     */
    @Test
    void binaryLayersHoldNothingButSignsAndPerChannelValues() {
        Path file = dir.resolve("model.safetensors");
        DeployedFormat.save(file, deployed);
        SafeTensorsFile st = SafeTensors.read(file);
        int flippedRows = 0;
        int binaryLayers = 0;
        List<NamedLayer> layers = ClassifierLayers.of(model);
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i).layer() instanceof BinaryLayer binary)) {
                continue;
            }
            binaryLayers++;
            String name = layers.get(i).name();
            BatchNorm bn = layers.get(i + 1).layer() instanceof BatchNorm b ? b : null;
            assertThat(st.names().stream().filter(n -> n.startsWith(name + ".")))
                    .containsExactly(name + ".signs");
            TensorEntry signs = st.tensor(name + ".signs");
            assertThat(signs.dtype()).isEqualTo(DType.U8);
            int rows = binary.outputs();
            int rowLength = binary.fanIn();
            int rowBytes = (rowLength + 7) / 8;
            assertThat(signs.shape()).containsExactly(rows, rowBytes);
            byte[] bits = signs.toBytes();
            float[] w = binary.latentWeight().data();
            float[] alpha = binary.amplitudes();
            for (int r = 0; r < rows; r++) {
                boolean negative = (bn == null ? 1 : bn.gamma().data()[r]) * alpha[r] < 0;
                flippedRows += negative ? 1 : 0;
                for (int j = 0; j < rowBytes * 8; j++) {
                    int bit = bits[r * rowBytes + j / 8] >> (j % 8) & 1;
                    if (j >= rowLength) {
                        assertThat(bit).as("padding bit").isZero();
                        continue;
                    }
                    float unpacked = bit == 1 ? 1f : -1f;
                    float expected = (w[r * rowLength + j] >= 0 ? 1f : -1f) * (negative ? -1 : 1);
                    assertThat(unpacked).isEqualTo(expected);
                }
            }
        }
        assertThat(binaryLayers).isEqualTo(2);
        assertThat(flippedRows).as("channels with a negative scale").isPositive();
        for (TensorEntry t : st.tensors().values()) {
            if (t.dtype() == DType.U8) {
                assertThat(t.name()).endsWith(".signs");
            } else {
                assertThat(t.dtype()).isEqualTo(DType.F32);
            }
        }
        // The neurons after binary layers: threshold, bias and (real spikes) scale, one per channel.
        assertThat(st.tensor("body.4.threshold").shape()).containsExactly(64);
        assertThat(st.tensor("body.4.scale").shape()).containsExactly(64);
        assertThat(st.tensor("body.8.bias").shape()).containsExactly(128);
    }

    /** The file is the information it carries plus the safetensors header, and the header is small. */
    @Test
    void fileSizeIsTheInformationPlusASmallHeader() throws IOException {
        Path file = dir.resolve("model.safetensors");
        DeployedFormat.save(file, deployed);
        long information = 0;
        for (Layer node : deployed.layers()) {
            information += switch (node) {
                case Layer.SignConv c -> (long) c.outChannels() * ceilBytes(c.inChannels() * c.kernel() * c.kernel());
                case Layer.SignLinear l -> (long) l.outFeatures() * ceilBytes(l.inFeatures());
                case Layer.Conv c -> 4L * (c.weight().length + (c.bias() == null ? 0 : c.outChannels()));
                case Layer.Linear l -> 4L * (l.weight().length + (l.bias() == null ? 0 : l.outFeatures()));
                case Layer.Neuron n ->
                    4L * n.channels() * (1 + (n.bias() == null ? 0 : 1) + (n.scale() == null ? 0 : 1));
                case Layer.Affine a -> 8L * a.scale().length;
                case Layer.Normalize n -> 8L * n.mean().length;
                default -> 0;
            };
        }
        assertThat(information)
                .isEqualTo(deployed.layers().stream()
                        .mapToLong(DeployedFormat::parameterBytes)
                        .sum());
        long header = headerLength(file);
        assertThat(Files.size(file)).isEqualTo(8 + header + information);
        assertThat(header).as("JSON header bytes").isLessThan(6 * 1024);
        // fmnist-cnn's binary layers: 64 x 288 and 128 x 3136 signs, whole bytes per row.
        SafeTensorsFile st = SafeTensors.read(file);
        assertThat(st.tensor("body.2.signs").toBytes()).hasSize(64 * 288 / 8);
        assertThat(st.tensor("body.7.signs").toBytes()).hasSize(128 * 3136 / 8);
    }

    @Test
    void rejectsAnUnknownFormatVersion() throws IOException {
        Path file = rewrite(
                m -> {
                    m.put(DeployedFormat.FORMAT_KEY, "deployed-9");
                    return m;
                },
                t -> t);
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("\"deployed-9\"")
                .hasMessageContaining("deployed-1");
    }

    @Test
    void rejectsMalformedGraphJson() throws IOException {
        Path file = rewrite(
                m -> {
                    m.put(
                            DeployedFormat.GRAPH_KEY,
                            m.get(DeployedFormat.GRAPH_KEY).substring(0, 100));
                    return m;
                },
                t -> t);
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void rejectsAnUnknownNodeKindNamingIt() throws IOException {
        Path file = rewriteGraph(g -> g.replace("\"kind\":\"max_pool\"", "\"kind\":\"median_pool\""));
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("unknown kind \"median_pool\"")
                .hasMessageContaining("body.1");
    }

    @Test
    void rejectsAMissingOrMistypedField() throws IOException {
        Path missing = rewriteGraph(g -> g.replace("\"kernel\":3,", ""));
        assertThatThrownBy(() -> DeployedFormat.load(missing))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("stem.1")
                .hasMessageContaining("missing field \"kernel\"");
        Path mistyped = rewriteGraph(g -> g.replace("\"timeSteps\":4", "\"timeSteps\":\"4\""));
        assertThatThrownBy(() -> DeployedFormat.load(mistyped))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"timeSteps\"")
                .hasMessageContaining("whole number");
        Path unknown = rewriteGraph(g -> g.replace("\"kind\":\"flatten\"", "\"kind\":\"flatten\",\"axis\":2"));
        assertThatThrownBy(() -> DeployedFormat.load(unknown))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("unknown field \"axis\"");
    }

    @Test
    void rejectsATensorWhoseSizeDoesNotMatchTheGraph() throws IOException {
        // The graph says 64 output channels; the file's signs have 63 rows.
        Path rows = rewrite(m -> m, t -> {
            TensorEntry s = t.get("body.2.signs");
            t.put(
                    s.name(),
                    TensorEntry.ofUnsignedBytes(s.name(), new long[] {63, 36}, Arrays.copyOf(s.toBytes(), 63 * 36)));
            return t;
        });
        assertThatThrownBy(() -> DeployedFormat.load(rows))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("body.2.signs")
                .hasMessageContaining("[63, 36]")
                .hasMessageContaining("[64, 36]");
        // A graph that claims more input channels than the weights hold.
        Path graph = rewriteGraph(
                g -> g.replace("\"name\":\"body.2\",\"inChannels\":32", "\"name\":\"body.2\",\"inChannels\":33"));
        assertThatThrownBy(() -> DeployedFormat.load(graph))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("body.2.signs");
        // Per-channel values of the wrong type.
        Path type = rewrite(m -> m, t -> {
            TensorEntry s = t.get("body.4.threshold");
            t.put(s.name(), TensorEntry.ofRawBytes(s.name(), DType.I32, s.shape(), s.toBytes()));
            return t;
        });
        assertThatThrownBy(() -> DeployedFormat.load(type))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("body.4.threshold")
                .hasMessageContaining("I32");
    }

    @Test
    void rejectsMissingAndExtraTensors() throws IOException {
        Path missing = rewrite(m -> m, t -> {
            t.remove("body.8.bias");
            return t;
        });
        assertThatThrownBy(() -> DeployedFormat.load(missing))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"body.8.bias\"")
                .hasMessageContaining("does not hold");
        Path extra = rewrite(m -> m, t -> {
            t.put("body.2.weight", TensorEntry.ofFloats("body.2.weight", new long[] {2}, new float[2]));
            return t;
        });
        assertThatThrownBy(() -> DeployedFormat.load(extra))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"body.2.weight\"")
                .hasMessageContaining("belongs to no node");
    }

    @Test
    void rejectsSetPaddingBitsAndAnInconsistentGraph() throws IOException {
        // fmnist's binary rows are whole bytes; a graph edit that breaks the shape flow is caught too.
        Path shapes = rewriteGraph(g -> g.replace("\"numClasses\":10", "\"numClasses\":11"));
        assertThatThrownBy(() -> DeployedFormat.load(shapes))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("[10]")
                .hasMessageContaining("for numClasses 11");
        var signs = new PackedSigns(1, 9, new byte[] {0, 2});
        assertThat(signs.firstRowWithPaddingSet()).isZero();
        assertThat(new PackedSigns(1, 9, new byte[] {(byte) 0xFF, 1}).firstRowWithPaddingSet())
                .isEqualTo(-1);
    }

    @Test
    void rejectsAFileThatIsNotADeployedModel() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        SafeTensors.write(file, List.of(TensorEntry.ofFloats("w", new long[] {1}, new float[] {1})));
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("not a deployed spikebit model");
    }

    // ------------------------------------------------------------------ helpers

    private Path rewriteGraph(UnaryOperator<String> edit) throws IOException {
        return rewrite(
                m -> {
                    String before = m.get(DeployedFormat.GRAPH_KEY);
                    String after = edit.apply(before);
                    assertThat(after).as("the edit applies").isNotEqualTo(before);
                    m.put(DeployedFormat.GRAPH_KEY, after);
                    return m;
                },
                t -> t);
    }

    /** Saves the model, then writes a copy with its metadata and tensors edited. */
    private Path rewrite(UnaryOperator<Map<String, String>> metadata, UnaryOperator<Map<String, TensorEntry>> tensors)
            throws IOException {
        Path good = dir.resolve("good.safetensors");
        DeployedFormat.save(good, deployed);
        SafeTensorsFile st = SafeTensors.read(good);
        Map<String, TensorEntry> t = tensors.apply(new LinkedHashMap<>(st.tensors()));
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, new ArrayList<>(t.values()), metadata.apply(new LinkedHashMap<>(st.metadata())));
        return bad;
    }

    private static long ceilBytes(int bits) {
        return (bits + 7) / 8;
    }

    private static long headerLength(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 0);
            return b.getLong(0);
        }
    }
}
