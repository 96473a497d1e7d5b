package dev.spikebit.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The paper architectures of the zoo: their depth as the literature counts it, their parameter
 * counts against the papers' layer lists, and a forward and backward pass on static and event
 * input with both spike kinds.
 */
class PaperModelsTest {

    /** Layers with weights on the main path (3x3 convs and linears; 1x1 shortcut projections excluded). */
    private static int depth(SpikingClassifier model) {
        int[] n = {0};
        model.visit(m -> {
            if (m instanceof Conv2d c && c.kernel() == 3 || m instanceof Linear) {
                n[0]++;
            }
        });
        return n[0];
    }

    @ParameterizedTest
    @CsvSource({"vggsnn, 9", "vggsnn-s, 4", "resnet19, 19", "resnet20, 20", "ms-resnet18, 18"})
    void depthIsTheNumberInTheName(String name, int depth) {
        assertThat(depth(ModelZoo.build(ModelZoo.defaultSpec(name), 1))).isEqualTo(depth);
    }

    /** Parameters of TET's notation: {@code nC3} is a 3x3 conv to n channels (no bias) + BN; AP2 has none; FC has a bias. */
    private static long vggParameters(String layers, int inChannels, int inSize, int classes) {
        long params = 0;
        int channels = inChannels;
        int size = inSize;
        for (String layer : layers.split("-")) {
            if (layer.endsWith("C3")) {
                int out = Integer.parseInt(layer.substring(0, layer.length() - 2));
                params += 9L * channels * out + 2L * out;
                channels = out;
            } else if (layer.equals("AP2")) {
                size /= 2;
            } else if (layer.equals("FC")) {
                params += (long) channels * size * size * classes + classes;
            }
        }
        return params;
    }

    @Test
    void vggParameterCountsFollowTheirLayerLists() {
        String tet = "64C3-128C3-AP2-256C3-256C3-AP2-512C3-512C3-AP2-512C3-512C3-AP2-FC";
        assertThat(ModelZoo.build(ModelZoo.defaultSpec("vggsnn"), 1).parameterCount())
                .isEqualTo(vggParameters(tet, 2, 48, 10));
        assertThat(ModelZoo.build(ModelZoo.defaultSpec("vggsnn-s"), 1).parameterCount())
                .isEqualTo(vggParameters("16C3-AP2-32C3-AP2-64C3-AP2-FC", 2, 34, 10));
        // Another input: the classifier follows the size (N-MNIST-sized frames, 11 DVS-gesture classes).
        ModelSpec other = ModelSpec.defaults("vggsnn", 2, 2, 34, 11);
        assertThat(ModelZoo.build(other, 1).parameterCount()).isEqualTo(vggParameters(tet, 2, 34, 11));
    }

    /**
     * Parameters of a ResNet from its table: a 3x3 stem conv + BN, then per basic block two 3x3
     * convs + BN and, where the width or stride changes, a 1x1 projection + BN; then the head.
     */
    private static long resnetParameters(int inChannels, int stemWidth, int[] widths, int[] blocks, long head) {
        long params = 9L * inChannels * stemWidth + 2L * stemWidth;
        int channels = stemWidth;
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                int out = widths[s];
                params += 9L * channels * out + 9L * out * out + 4L * out;
                if (channels != out || (s > 0 && b == 0)) {
                    params += (long) channels * out + 2L * out;
                }
                channels = out;
            }
        }
        return params + head;
    }

    @Test
    void resnetParameterCountsFollowTheirTables() {
        assertThat(ModelZoo.build(ModelZoo.defaultSpec("resnet19"), 1).parameterCount())
                .isEqualTo(resnetParameters(
                        3, 128, new int[] {128, 256, 512}, new int[] {3, 3, 2}, 512 * 256 + 256 + 256 * 10 + 10));
        assertThat(ModelZoo.build(ModelZoo.defaultSpec("resnet20"), 1).parameterCount())
                .isEqualTo(resnetParameters(3, 16, new int[] {16, 32, 64}, new int[] {3, 3, 3}, 64 * 10 + 10));
        assertThat(ModelZoo.build(ModelZoo.defaultSpec("ms-resnet18"), 1).parameterCount())
                .isEqualTo(
                        resnetParameters(3, 64, new int[] {64, 128, 256, 512}, new int[] {2, 2, 2, 2}, 512 * 10 + 10));
    }

    /**
     * Every model, on the smallest input it takes, with binary and real-valued spikes, static
     * images and event frames: logits of the right shape, a finite loss, and a gradient in every
     * parameter's buffer, non-zero for most of them.
     */
    @ParameterizedTest
    @CsvSource({
        "vggsnn, 2, 16, binary", "vggsnn, 3, 16, real",
        "vggsnn-s, 2, 8, binary", "vggsnn-s, 1, 8, real",
        "resnet19, 3, 4, binary", "resnet19, 2, 4, real",
        "resnet20, 3, 4, real", "resnet20, 2, 4, binary",
        "ms-resnet18, 3, 8, binary", "ms-resnet18, 2, 8, real"
    })
    void forwardAndBackward(String name, int channels, int size, String spikes) {
        int steps = 2;
        int batch = 2;
        int classes = 7;
        ModelSpec spec =
                ModelSpec.defaults(name, steps, channels, size, classes).withSpikes(SpikeKind.of(spikes, "spikes"));
        SpikingClassifier model = ModelZoo.build(spec, 3);
        // MS-ResNet's branches start silenced (BN scale 0, see ResidualBlocksTest); open them so the
        // gradient of every path is exercised.
        model.visit(m -> {
            if (m instanceof BatchNorm bn) {
                Arrays.fill(bn.gamma().data(), 1f);
            }
        });
        boolean events = channels == 2;
        int[] shape = events ? new int[] {steps, batch, channels, size, size} : new int[] {batch, channels, size, size};
        Tensor x = Tensor.of(random(shape, events ? 4f : 1f), shape);
        Tensor logits = model.logits(x);
        assertThat(logits.shape()).containsExactly(batch, classes);
        Tensor loss = Losses.crossEntropy(logits, new int[] {1, 5});
        assertThat(loss.item()).isFinite();
        loss.backward();
        int withGradient = 0;
        int total = 0;
        for (Parameter p : model.parameters()) {
            total++;
            assertThat(p.value().hasGrad()).as(p.name()).isTrue();
            float[] g = p.value().grad();
            boolean nonZero = false;
            for (float v : g) {
                assertThat(v).as(p.name()).isFinite();
                nonZero |= v != 0f;
            }
            if (nonZero) {
                withGradient++;
            }
        }
        // Neurons that never come near their threshold on a random input leave some at 0.
        assertThat(withGradient).isGreaterThan(total / 2);
    }

    @Test
    void inputTooSmallForTheDownsamplingIsRefused() {
        assertThatThrownBy(() -> ModelZoo.build(ModelSpec.defaults("vggsnn", 2, 2, 8, 10), 1))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("at least 16x16");
    }

    private static float[] random(int[] shape, float scale) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        SplittableRandom rng = new SplittableRandom(11);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (scale * rng.nextDouble());
        }
        return data;
    }
}
