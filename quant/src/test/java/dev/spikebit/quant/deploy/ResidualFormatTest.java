package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployed file of a residual network, format {@code deployed-2} (docs/reverb.md sections 3
 * and 4): the {@code add} nodes and {@code inputs} fields survive a round trip, and the reader
 * refuses an add whose inputs are unknown, come later, differ in shape or are missing, naming
 * the node.
 */
class ResidualFormatTest {
    private static Graph deployed;
    private static float[] images;

    @TempDir
    Path dir;

    @BeforeAll
    static void deployResnet20() {
        deployed = Reparameterizer.deploy(
                ResidualModels.calibrated(ResidualModels.spec("resnet20", "real", "binary", false, 2), 6, 1));
        images = ResidualModels.images(new SplittableRandom(2), 2);
    }

    @Test
    void roundTripKeepsAddNodesAndGivesIdenticalLogits() {
        Path file = dir.resolve("resnet20.safetensors");
        DeployedFormat.save(file, deployed);
        SafeTensorsFile st = SafeTensors.read(file);
        assertThat(st.metadata().get(DeployedFormat.FORMAT_KEY)).isEqualTo("deployed-2");
        String graph = st.metadata().get(DeployedFormat.GRAPH_KEY);
        assertThat(graph)
                .startsWith("{\"format\":\"deployed-2\"")
                .contains("{\"kind\":\"add\",\"name\":\"body.1.add\",\"inputs\":[\"body.1.bn2\",\"body.0\"]}")
                .contains("\"name\":\"body.4.shortcut.conv\",\"inputs\":[\"body.3.spike2\"],\"inChannels\":16");

        Graph loaded = DeployedFormat.load(file);
        assertThat(loaded.inputs()).isEqualTo(deployed.inputs());
        assertThat(loaded.layers())
                .extracting(Layer::name)
                .containsExactlyElementsOf(
                        deployed.layers().stream().map(Layer::name).toList());
        assertThat(DeployedFormat.graphJson(loaded)).isEqualTo(graph);
        float[] before = ReferenceExecutor.logits(deployed, images, 2);
        float[] after = ReferenceExecutor.logits(loaded, images, 2);
        assertThat(Arrays.equals(before, after)).isTrue();
    }

    /** A chain (no add, no rerouted input) is still written as deployed-1, with no trace of the new field. */
    @Test
    void aNetworkWithoutResidualsStaysDeployed1() {
        Graph chain = Reparameterizer.deploy(RandomModels.calibrated(RandomModels.spec("real", "binary", false), 3));
        assertThat(chain.hasBranches()).isFalse();
        assertThat(DeployedFormat.formatOf(chain)).isEqualTo("deployed-1");
        assertThat(DeployedFormat.graphJson(chain))
                .startsWith("{\"format\":\"deployed-1\"")
                .doesNotContain("inputs");
    }

    @Test
    void rejectsAnAddThatReadsAnUnknownNode() {
        Path file = rewriteGraph(
                g -> g.replace("\"inputs\":[\"body.1.bn2\",\"body.0\"]", "\"inputs\":[\"body.1.bn2\",\"body.99\"]"));
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("add \"body.1.add\"")
                .hasMessageContaining("\"body.99\"")
                .hasMessageContaining("no node of the graph");
    }

    @Test
    void rejectsAnAddThatReadsALaterNode() {
        Path file = rewriteGraph(g ->
                g.replace("\"inputs\":[\"body.1.bn2\",\"body.0\"]", "\"inputs\":[\"body.1.bn2\",\"body.2.spike1\"]"));
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("add \"body.1.add\"")
                .hasMessageContaining("\"body.2.spike1\"")
                .hasMessageContaining("does not come before it");
        Path itself = rewriteGraph(
                g -> g.replace("\"inputs\":[\"body.1.bn2\",\"body.0\"]", "\"inputs\":[\"body.1.add\",\"body.0\"]"));
        assertThatThrownBy(() -> DeployedFormat.load(itself))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("add \"body.1.add\"")
                .hasMessageContaining("does not come before it");
    }

    @Test
    void rejectsAnAddOfTwoShapes() {
        // The second stage's first block: its branch is [32, 16, 16], the previous block's output [16, 32, 32].
        Path file = rewriteGraph(g -> g.replace(
                "\"inputs\":[\"body.4.bn2\",\"body.4.shortcut.bn\"]", "\"inputs\":[\"body.4.bn2\",\"body.3.spike2\"]"));
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("add \"body.4.add\"")
                .hasMessageContaining("[32, 16, 16]")
                .hasMessageContaining("[16, 32, 32]")
                .hasMessageContaining("same shape");
    }

    @Test
    void rejectsAnAddWithoutTwoInputs() {
        Path one =
                rewriteGraph(g -> g.replace("\"inputs\":[\"body.1.bn2\",\"body.0\"]", "\"inputs\":[\"body.1.bn2\"]"));
        assertThatThrownBy(() -> DeployedFormat.load(one))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("add \"body.1.add\" has 1 inputs")
                .hasMessageContaining("expected 2");
        Path none = rewriteGraph(g -> g.replace(",\"inputs\":[\"body.1.bn2\",\"body.0\"]", ""));
        assertThatThrownBy(() -> DeployedFormat.load(none))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"body.1.add\"")
                .hasMessageContaining("missing field \"inputs\"");
        Path typed =
                rewriteGraph(g -> g.replace("\"inputs\":[\"body.1.bn2\",\"body.0\"]", "\"inputs\":[\"body.1.bn2\",3]"));
        assertThatThrownBy(() -> DeployedFormat.load(typed))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"body.1.add\"")
                .hasMessageContaining("expected node names");
        Path conv = rewriteGraph(
                g -> g.replace("\"inputs\":[\"body.3.spike2\"]", "\"inputs\":[\"body.3.spike2\",\"body.3.spike1\"]"));
        assertThatThrownBy(() -> DeployedFormat.load(conv))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("sign_conv \"body.4.shortcut.conv\" has 2 inputs")
                .hasMessageContaining("expected 1");
    }

    @Test
    void rejectsResidualsInADeployed1File() {
        Path file = rewrite(m -> {
            m.put(DeployedFormat.FORMAT_KEY, "deployed-1");
            m.put(
                    DeployedFormat.GRAPH_KEY,
                    m.get(DeployedFormat.GRAPH_KEY).replace("\"format\":\"deployed-2\"", "\"format\":\"deployed-1\""));
            return m;
        });
        assertThatThrownBy(() -> DeployedFormat.load(file))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("\"body.1.add\"")
                .hasMessageContaining("needs format \"deployed-2\"");
    }

    // ------------------------------------------------------------------ helpers

    private Path rewriteGraph(UnaryOperator<String> edit) {
        return rewrite(m -> {
            String before = m.get(DeployedFormat.GRAPH_KEY);
            String after = edit.apply(before);
            assertThat(after).as("the edit applies").isNotEqualTo(before);
            m.put(DeployedFormat.GRAPH_KEY, after);
            return m;
        });
    }

    /** Saves the model, then writes a copy with its metadata edited and the same tensors. */
    private Path rewrite(UnaryOperator<Map<String, String>> metadata) {
        Path good = dir.resolve("good.safetensors");
        DeployedFormat.save(good, deployed);
        SafeTensorsFile st = SafeTensors.read(good);
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(
                bad, new ArrayList<>(st.tensors().values()), metadata.apply(new LinkedHashMap<>(st.metadata())));
        return bad;
    }
}
