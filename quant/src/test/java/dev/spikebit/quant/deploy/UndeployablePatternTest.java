package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Sequential;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.Amplitude;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.QuantModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Layer patterns without a standard form are refused with the layer's name and the reason (docs/methods.md 2). */
class UndeployablePatternTest {
    private static final ModelSpec SPEC = RandomModels.spec("binary", "binary", false);

    @Test
    void binaryConvThatFeedsAMaxPoolBeforeItsBatchNorm() {
        var rng = new SplittableRandom(1);
        var model = new SpikingClassifier(
                SPEC,
                new Sequential(new Conv2d(1, 4, 3, 1, 1, false, rng), BatchNorm.of2d(4)),
                new Sequential(
                        new LIFNode(),
                        new BinaryConv2d(4, 8, 3, 1, 1, false, rng, Amplitude.TRAINED),
                        new MaxPool2d(2),
                        BatchNorm.of2d(8),
                        new LIFNode(),
                        Flatten.multiStep(),
                        new Linear(8 * 14 * 14, 10, true, rng)));
        assertThatThrownBy(() -> Reparameterizer.deploy(model))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("layer body.1 (BinaryConv2d(4->8")
                .hasMessageContaining("feeds body.2 (MaxPool2d(2))")
                .hasMessageContaining("batch norm and/or a neuron");
    }

    @Test
    void batchNormWithZeroGammaLeavesNoScaleToDivideBy() {
        SpikingClassifier model = QuantModels.build(SPEC, 2);
        ((BatchNorm) model.body().layers().get(3)).gamma().data()[5] = 0f;
        assertThatThrownBy(() -> Reparameterizer.deploy(model))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("layer body.2 (BinaryConv2d(32->64")
                .hasMessageContaining("channel 5 has scale k = 0")
                .hasMessageContaining("gamma = 0.0 in body.3");
    }

    /** Inside a residual block the error names the block's layer; k = 0 before a neuron still has no standard form. */
    @Test
    void zeroGammaInsideAResidualBlockNamesTheBlocksLayer() {
        SpikingClassifier model = QuantModels.build(
                ModelZoo.defaultSpec("resnet20").withWeights(WeightKind.BINARY).withTimeSteps(1), 2);
        var bn1 = (BatchNorm) model.body().layers().get(4).children().get("bn1");
        bn1.gamma().data()[3] = 0f;
        assertThatThrownBy(() -> Reparameterizer.deploy(model))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("layer body.4.conv1 (BinaryConv2d(16->32")
                .hasMessageContaining("channel 3 has scale k = 0")
                .hasMessageContaining("gamma = 0.0 in body.4.bn1");
    }

    @Test
    void binaryLayerFollowedByAnotherKindOfLayer() {
        var rng = new SplittableRandom(3);
        var model = new SpikingClassifier(
                SPEC,
                new Sequential(new Conv2d(1, 2, 3, 1, 1, false, rng), BatchNorm.of2d(2)),
                new Sequential(
                        new LIFNode(),
                        new BinaryConv2d(2, 2, 3, 2, 1, false, rng, Amplitude.FIXED),
                        Flatten.multiStep(),
                        new Linear(2 * 14 * 14, 10, true, rng)));
        assertThatThrownBy(() -> Reparameterizer.deploy(model))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("layer body.1 (BinaryConv2d(2->2")
                .hasMessageContaining("feeds body.2 (Flatten");
    }

    @Test
    void layerWithoutADeployedForm() {
        var rng = new SplittableRandom(4);
        Module square = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }

            @Override
            public String describe() {
                return "Square";
            }
        };
        var model = new SpikingClassifier(
                SPEC,
                new Sequential(new Conv2d(1, 2, 3, 1, 1, false, rng)),
                new Sequential(
                        new LIFNode(),
                        new Sequential(square),
                        Flatten.multiStep(),
                        new Linear(2 * 28 * 28, 10, true, rng)));
        assertThatThrownBy(() -> Reparameterizer.deploy(model))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("layer body.1.0 (Square)")
                .hasMessageContaining("no deployed form");
    }
}
