package dev.spikebit.quant.binary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.ParamRole;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.ops.LinearOp;
import dev.spikebit.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BinaryConv2d, BinaryLinear, the binary layer factory and QuantModels (docs/methods.md 2). */
class BinaryLayersTest {

    @Test
    void binaryConvForwardEqualsAConvolutionWithTheExplicitBinaryWeight() {
        var conv = new BinaryConv2d(3, 4, 3, 2, 1, true, new SplittableRandom(1), Amplitude.TRAINED);
        // Move alpha away from its initial value so the test sees the parameter, not mean|W|.
        float[] alpha = conv.alpha().data();
        for (int c = 0; c < alpha.length; c++) {
            alpha[c] = 0.1f + 0.3f * c;
        }
        Tensor x = ScaledSignTest.random(new SplittableRandom(2), 2, 3, 7, 7);
        Tensor expected = Conv2dOp.conv2d(
                x, Tensor.of(explicitBinary(conv.weight().data(), alpha), 4, 3, 3, 3), conv.bias(), 2, 1);
        assertThat(conv.forward(x).data()).containsExactly(expected.data());
    }

    @Test
    void binaryConvAcceptsMultiStepInput() {
        var conv = new BinaryConv2d(2, 3, 3, 1, 1, false, new SplittableRandom(5), Amplitude.FIXED);
        Tensor x = ScaledSignTest.random(new SplittableRandom(6), 2, 3, 2, 4, 4); // [T, B, C, H, W]
        float[] alpha = ScaledSign.meanAbs(conv.weight().data(), 3);
        Tensor expected = Conv2dOp.conv2d(
                x.reshape(6, 2, 4, 4), Tensor.of(explicitBinary(conv.weight().data(), alpha), 3, 2, 3, 3), null, 1, 1);
        Tensor y = conv.forward(x);
        assertThat(y.shape()).containsExactly(2, 3, 3, 4, 4);
        assertThat(y.data()).containsExactly(expected.data());
    }

    @Test
    void binaryLinearForwardEqualsALinearMapWithTheExplicitBinaryWeight() {
        var linear = new BinaryLinear(6, 3, true, new SplittableRandom(1), Amplitude.TRAINED);
        Tensor x = ScaledSignTest.random(new SplittableRandom(2), 5, 6);
        Tensor expected = LinearOp.linear(
                x,
                Tensor.of(explicitBinary(linear.weight().data(), linear.alpha().data()), 3, 6),
                linear.bias());
        assertThat(linear.forward(x).data()).containsExactly(expected.data());
    }

    @Test
    void trainedAmplitudeIsAnAmplitudeParameterInitialisedToMeanAbsAndGetsGradients() {
        var conv = new BinaryConv2d(2, 3, 3, 1, 1, false, new SplittableRandom(7), Amplitude.TRAINED);
        Parameter alpha = conv.parameters().stream()
                .filter(p -> p.name().equals("alpha"))
                .findFirst()
                .orElseThrow();
        assertThat(alpha.role()).isEqualTo(ParamRole.AMPLITUDE);
        assertThat(alpha.role().decays()).isFalse();
        assertThat(alpha.data())
                .containsExactly(ScaledSign.meanAbs(conv.weight().data(), 3));
        assertThat(conv.amplitudes()).containsExactly(alpha.data());

        Tensor x = ScaledSignTest.random(new SplittableRandom(8), 1, 2, 4, 4);
        Elementwise.sum(conv.forward(x)).backward();
        assertThat(alpha.value().hasGrad()).isTrue();
        assertThat(conv.weight().hasGrad()).isTrue();
    }

    @Test
    void fixedAmplitudeHasNoParameterAndFollowsTheLatentWeights() {
        var linear = new BinaryLinear(4, 2, false, new SplittableRandom(9), Amplitude.FIXED);
        assertThat(linear.parameters()).extracting(Parameter::name).containsExactly("weight");
        linear.weight().data()[0] = 3f;
        assertThat(linear.amplitudes())
                .containsExactly(ScaledSign.meanAbs(linear.weight().data(), 2));
        assertThat(linear.amplitudes()[0]).isGreaterThan(0.75f);
    }

    @Test
    void factoryMakesHiddenLayersBinaryAndKeepsTheEdgesFullPrecisionUnlessAsked() {
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn").withWeights(WeightKind.BINARY);
        assertThat(binaryLayers(QuantModels.build(spec, 1))).containsExactly("body.2", "body.7");
        ModelSpec edges = new ModelSpec(
                spec.model(),
                spec.timeSteps(),
                spec.inChannels(),
                spec.inSize(),
                spec.numClasses(),
                spec.spikes(),
                WeightKind.BINARY_FIXED_ALPHA,
                true,
                spec.surrogate(),
                spec.tau(),
                spec.vth(),
                spec.detachReset());
        assertThat(binaryLayers(QuantModels.build(edges, 1))).containsExactly("stem.1", "body.2", "body.7", "body.9");
        assertThat(binaryLayers(QuantModels.build(spec.withWeights(WeightKind.FP), 1)))
                .isEmpty();
    }

    @Test
    void sameSpecAndSeedGiveTheSameWeightsAsTheFullPrecisionModel() {
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn").withWeights(WeightKind.BINARY);
        SpikingClassifier binary = QuantModels.build(spec, 42);
        SpikingClassifier fp = ModelZoo.build(spec.withWeights(WeightKind.FP), 42);
        // The binary layers draw their latent weights exactly as the full-precision layers do.
        var binaryState = binary.stateDict();
        for (var e : fp.stateDict().entrySet()) {
            assertThat(Arrays.equals(
                            binaryState.get(e.getKey()).data(), e.getValue().data()))
                    .as(e.getKey())
                    .isTrue();
        }
        assertThat(binaryState.keySet()).contains("body.2.alpha", "body.7.alpha");
    }

    @Test
    void checkpointOfABinaryModelRebuildsTheSameModel(@TempDir Path dir) {
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn")
                .withWeights(WeightKind.BINARY_FIXED_ALPHA)
                .withSpikes(SpikeKind.REAL);
        SpikingClassifier model = QuantModels.build(spec, 5);
        model.eval();
        Path file = dir.resolve("last.safetensors");
        Checkpoint.save(file, spec, model, null, Map.of());
        SpikingClassifier loaded = QuantModels.fromCheckpoint(Checkpoint.load(file));
        assertThat(loaded.isTraining()).isFalse();
        assertThat(binaryLayers(loaded)).containsExactly("body.2", "body.7");
        Tensor x = ScaledSignTest.random(new SplittableRandom(6), 2, 1, 28, 28);
        assertThat(loaded.logits(x).data()).containsExactly(model.logits(x).data());
    }

    private static List<String> binaryLayers(Module model) {
        List<String> names = new ArrayList<>();
        SpikingClassifier c = (SpikingClassifier) model;
        collect("stem", c.stem(), names);
        collect("body", c.body(), names);
        return names;
    }

    private static void collect(String prefix, Module m, List<String> names) {
        m.children().forEach((name, child) -> {
            if (child instanceof BinaryLayer) {
                assertThat(child).isInstanceOfAny(Conv2d.class, Linear.class);
                names.add(prefix + "." + name);
            }
        });
    }

    private static float[] explicitBinary(float[] w, float[] alpha) {
        int per = w.length / alpha.length;
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = alpha[i / per] * (w[i] >= 0 ? 1f : -1f);
        }
        return out;
    }
}
