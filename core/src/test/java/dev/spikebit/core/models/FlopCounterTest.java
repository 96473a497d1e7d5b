package dev.spikebit.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.neuron.ReverbLif;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Sequential;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The symbolic FLOP count: each rule by hand, and shapes that agree with a real forward pass. */
class FlopCounterTest {
    private final SplittableRandom rng = new SplittableRandom(2);

    @Test
    void smallNetworkCountedByHand() {
        Sequential net = new Sequential(
                new Conv2d(2, 4, 3, 1, 1, true, rng), // [2,6,6] -> [4,6,6]
                BatchNorm.of2d(4),
                new LIFNode(),
                new AvgPool2d(2), // -> [4,3,3]
                Flatten.multiStep(), // -> [36]
                new Linear(36, 5, true, rng)); // -> [5]
        FlopCounter.Count count = FlopCounter.perStep(net, new int[] {2, 6, 6});

        long convMacs = 4L * 6 * 6 * (2 * 3 * 3);
        long linearMacs = 36L * 5;
        assertThat(count.macs()).isEqualTo(convMacs + linearMacs);
        long conv = 2 * convMacs + 4 * 6 * 6; // multiply-adds plus the bias
        long bn = 2 * 144;
        long lif = 4 * 144;
        long pool = 36 * 4; // four inputs summed per output
        long linear = 2 * linearMacs + 5;
        assertThat(count.flops()).isEqualTo(conv + bn + lif + pool + linear);
        assertThat(count.layers()).extracting(FlopCounter.Layer::name).containsExactly("0", "1", "2", "3", "4", "5");
        assertThat(count.layers().get(3).outputShape()).containsExactly(4, 3, 3);
        assertThat(count.outputShape()).containsExactly(5);
    }

    @Test
    void strideAndPaddingGiveTheConvolutionsOutputSize() {
        Conv2d conv = new Conv2d(3, 8, 3, 2, 1, false, rng);
        FlopCounter.Count count = FlopCounter.perStep(conv, new int[] {3, 9, 7});
        Tensor y;
        try (var scope = NoGrad.enter()) {
            y = conv.forward(Tensor.zeros(1, 3, 9, 7));
        }
        assertThat(count.outputShape()).containsExactly(y.dim(1), y.dim(2), y.dim(3));
        assertThat(count.macs()).isEqualTo(8L * y.dim(2) * y.dim(3) * 27);
    }

    @Test
    void reverbNeuronsCostTheMultiplyByTheirPotential() {
        long lif = FlopCounter.perStep(new LIFNode(), new int[] {10}).flops();
        long reverb = FlopCounter.perStep(new ReverbLif(), new int[] {10}).flops();
        assertThat(reverb - lif).isEqualTo(10);
    }

    /** The TET paper's VGGSNN at 48x48: each conv's MACs from its resolution, as the layer list gives it. */
    @Test
    void vggsnnMacsFromItsLayerList() {
        int[][] convs = {
            {2, 64, 48},
            {64, 128, 48},
            {128, 256, 24},
            {256, 256, 24},
            {256, 512, 12},
            {512, 512, 12},
            {512, 512, 6},
            {512, 512, 6}
        };
        long macs = 512L * 3 * 3 * 10;
        for (int[] c : convs) {
            macs += (long) c[2] * c[2] * 9 * c[0] * c[1];
        }
        assertThat(FlopCounter.perStep(ModelZoo.build(ModelZoo.defaultSpec("vggsnn"), 1))
                        .macs())
                .isEqualTo(macs);
    }

    /** The traced output is the shape a real forward gives, for every zoo model (small inputs keep it quick). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "fmnist-cnn",
                "fmnist-vgg-s",
                "fmnist-vgg-w",
                "vggsnn",
                "vggsnn-s",
                "resnet19",
                "resnet20",
                "ms-resnet18"
            })
    void tracedShapesMatchTheForwardPass(String name) {
        ModelSpec defaults = ModelZoo.defaultSpec(name);
        int size = name.startsWith("fmnist") ? 28 : name.equals("vggsnn") ? 16 : 8;
        ModelSpec spec = ModelSpec.defaults(name, 1, defaults.inChannels(), size, 6);
        SpikingClassifier model = ModelZoo.build(spec, 1);
        FlopCounter.Count count = FlopCounter.perStep(model);
        Tensor logits;
        try (var scope = NoGrad.enter()) {
            logits = model.logits(Tensor.zeros(1, spec.inChannels(), size, size));
        }
        assertThat(count.outputShape()).containsExactly(logits.dim(1));
        assertThat(count.flops()).isGreaterThan(2 * count.macs());
    }

    @Test
    void unknownLayersAreNamed() {
        Module odd = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }

            @Override
            public String describe() {
                return "Odd";
            }
        };
        assertThatThrownBy(() -> FlopCounter.perStep(new Sequential(odd), new int[] {1, 2, 2}))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("Odd (0)");
    }
}
