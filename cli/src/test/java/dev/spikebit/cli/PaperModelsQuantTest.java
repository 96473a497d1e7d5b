package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryLayer;
import dev.spikebit.quant.binary.QuantModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The paper architectures built through the quantization layer factory, as the command line
 * builds them: with {@code --weights binary} every hidden conv and linear (shortcut projections
 * included) is binary, the stem conv and the classifier stay full precision, and a forward and
 * backward pass with real-valued (ReverB) spikes reaches the latent weights and the amplitudes.
 */
class PaperModelsQuantTest {

    @ParameterizedTest
    @CsvSource({"vggsnn, 2, 16", "vggsnn-s, 2, 8", "resnet19, 3, 4", "resnet20, 3, 4", "ms-resnet18, 3, 8"})
    void binaryWeightsAndRealSpikes(String name, int channels, int size) {
        ModelSpec spec = ModelSpec.defaults(name, 2, channels, size, 5)
                .withWeights(WeightKind.BINARY)
                .withSpikes(SpikeKind.REAL);
        SpikingClassifier model = QuantModels.build(spec, 4);

        List<Module> weightLayers = new ArrayList<>();
        model.visit(m -> {
            if (m instanceof Conv2d || m instanceof Linear) {
                weightLayers.add(m);
            }
        });
        assertThat(weightLayers.getFirst()).isNotInstanceOf(BinaryLayer.class);
        assertThat(weightLayers.getLast()).isNotInstanceOf(BinaryLayer.class);
        assertThat(weightLayers.subList(1, weightLayers.size() - 1)).allMatch(m -> m instanceof BinaryLayer);

        int batch = 2;
        boolean events = channels == 2;
        int[] shape = events ? new int[] {2, batch, channels, size, size} : new int[] {batch, channels, size, size};
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] x = new float[n];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (events ? rng.nextInt(4) : rng.nextDouble());
        }
        Tensor logits = model.logits(Tensor.of(x, shape));
        assertThat(logits.shape()).containsExactly(batch, 5);
        Tensor loss = Losses.crossEntropy(logits, new int[] {0, 3});
        assertThat(loss.item()).isFinite();
        loss.backward();
        long reached = model.parameters().stream()
                .map(Parameter::value)
                .filter(Tensor::hasGrad)
                .count();
        assertThat(reached).isEqualTo(model.parameters().size());
        assertThat(model.parameters()).anySatisfy(p -> assertThat(p.name()).contains("alpha"));
    }

    /** With sub-bit weights every hidden 3x3 conv indexes a codebook (docs/methods.md 3), and training still reaches every parameter. */
    @ParameterizedTest
    @CsvSource({"vggsnn-s, 2, 8", "resnet20, 3, 4", "ms-resnet18, 3, 8"})
    void subBitWeights(String name, int channels, int size) {
        ModelSpec spec = ModelSpec.defaults(name, 2, channels, size, 5)
                .withSubBit(4, true, 0)
                .withWeights(WeightKind.SUB_BIT);
        SpikingClassifier model = QuantModels.build(spec, 4);
        List<Module> subBit = new ArrayList<>();
        model.visit(m -> {
            if (m instanceof dev.spikebit.quant.subbit.SubBitConv2d) {
                subBit.add(m);
            }
        });
        assertThat(subBit).isNotEmpty();
        boolean events = channels == 2;
        int[] shape = events ? new int[] {2, 2, channels, size, size} : new int[] {2, channels, size, size};
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] x = new float[n];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (events ? rng.nextInt(4) : rng.nextDouble());
        }
        Tensor loss = Losses.crossEntropy(model.logits(Tensor.of(x, shape)), new int[] {1, 4});
        assertThat(loss.item()).isFinite();
        loss.backward();
        assertThat(model.parameters())
                .allSatisfy(p -> assertThat(p.value().hasGrad()).as(p.name()).isTrue());
    }
}
