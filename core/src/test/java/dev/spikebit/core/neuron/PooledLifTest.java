package dev.spikebit.core.neuron;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.neuron.surrogate.Rectangle;
import dev.spikebit.core.neuron.surrogate.Sigmoid;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.LayerFusion;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Sequential;
import dev.spikebit.core.ops.GradCheck;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The neuron layer run with the batch norm before it and the 2x2 max pooling after it in one pass
 * ({@link LIFNode#forwardPooled}) against the three layers one after the other: the same output,
 * running statistics, firing rate and gradients of the input, gamma and beta, to the bit; and the
 * fused backward against finite differences where the function is smooth.
 */
class PooledLifTest {
    /** Neuron configurations, shapes (T, B, C, H, W), batch norm (none, training, evaluation), repeated input. */
    static Stream<Arguments> cases() {
        NeuronConfig binary = NeuronConfig.lif();
        NeuronConfig real = NeuronConfig.reverbLif();
        NeuronConfig other = NeuronConfig.integrateAndFire()
                .withSurrogate(new Sigmoid(4f))
                .withDetachReset(false)
                .withVth(0.5f);
        return Stream.of(
                Arguments.of(binary, new int[] {4, 3, 5, 28, 28}, "training", false),
                Arguments.of(binary, new int[] {4, 3, 5, 28, 28}, "training", true),
                Arguments.of(real, new int[] {3, 2, 4, 14, 14}, "training", false),
                Arguments.of(real, new int[] {4, 2, 3, 7, 9}, "training", true),
                Arguments.of(other, new int[] {2, 3, 2, 9, 7}, "evaluation", false),
                Arguments.of(other, new int[] {5, 1, 3, 6, 6}, "none", false),
                Arguments.of(binary, new int[] {4, 2, 6, 11, 10}, "none", true),
                Arguments.of(real, new int[] {1, 2, 2, 2, 3}, "evaluation", true),
                // Many blocks of planes, split over the pool: the shapes of fmnist-cnn's layers.
                Arguments.of(binary, new int[] {4, 8, 16, 14, 14}, "training", false),
                Arguments.of(real, new int[] {4, 4, 8, 28, 28}, "training", true),
                Arguments.of(binary, new int[] {3, 5, 7, 13, 14}, "none", false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void equalsTheLayersOneAfterTheOther(NeuronConfig config, int[] dims, String norm, boolean repeated) {
        int steps = dims[0];
        int[] shape = repeated
                ? new int[] {dims[1], dims[2], dims[3], dims[4]}
                : new int[] {steps, dims[1], dims[2], dims[3], dims[4]};
        int channels = dims[2];
        var rng = new SplittableRandom(11);
        float[] input = new float[Math.toIntExact(count(shape))];
        for (int i = 0; i < input.length; i++) {
            // Around the threshold after normalisation, with repeated values (ties in the windows).
            input[i] = rng.nextInt(4) == 0 ? 0.25f : (float) (rng.nextDouble() * 3 - 1);
        }
        float[] gamma = new float[channels];
        float[] beta = new float[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = (float) (0.5 + rng.nextDouble());
            beta[c] = (float) (rng.nextDouble() - 0.2);
        }
        float[] outputGradient = null;

        Result fused = null;
        Result separate = null;
        for (boolean fuse : new boolean[] {true, false}) {
            LIFNode neuron = config.output() == OutputMode.REAL ? new ReverbLif(config) : new LIFNode(config);
            BatchNorm bn = norm.equals("none") ? null : BatchNorm.of2d(channels);
            if (bn != null) {
                System.arraycopy(gamma, 0, bn.gamma().data(), 0, channels);
                System.arraycopy(beta, 0, bn.beta().data(), 0, channels);
                for (int c = 0; c < channels; c++) {
                    bn.runningMean()[c] = 0.1f * c;
                    bn.runningVar()[c] = 1f + 0.2f * c;
                }
                bn.train(norm.equals("training"));
            }
            var pool = new MaxPool2d(2);
            Tensor x = Tensor.of(input.clone(), shape).requiresGrad(true);
            Tensor out;
            if (fuse) {
                out = neuron.forwardPooled(x, bn, pool, repeated ? steps : 0);
                assertThat(out).as("the fused pass applies").isNotNull();
            } else {
                Tensor h = bn == null ? x : bn.forward(x);
                h = repeated ? neuron.forwardRepeated(h, steps) : neuron.forward(h);
                out = pool.forward(h);
            }
            if (outputGradient == null) {
                outputGradient = new float[out.size()];
                for (int i = 0; i < outputGradient.length; i++) {
                    outputGradient[i] = (float) (rng.nextDouble() * 2 - 1);
                }
            }
            out.backward(outputGradient);
            Result r = new Result(
                    out.shape(),
                    out.data().clone(),
                    x.grad().clone(),
                    bn == null ? null : bn.gamma().grad().clone(),
                    bn == null ? null : bn.beta().grad().clone(),
                    bn == null ? null : bn.runningMean().clone(),
                    bn == null ? null : bn.runningVar().clone(),
                    neuron.lastFiringRate());
            if (fuse) {
                fused = r;
            } else {
                separate = r;
            }
        }
        assertThat(fused.shape()).containsExactly(separate.shape());
        assertThat(fused.output()).containsExactly(separate.output());
        assertThat(fused.gradX()).containsExactly(separate.gradX());
        assertThat(fused.firingRate()).isEqualTo(separate.firingRate());
        assertThat(fused.firingRate()).isBetween(0.01, 0.99);
        if (!norm.equals("none")) {
            assertThat(fused.gradGamma()).containsExactly(separate.gradGamma());
            assertThat(fused.gradBeta()).containsExactly(separate.gradBeta());
            assertThat(fused.runningMean()).containsExactly(separate.runningMean());
            assertThat(fused.runningVar()).containsExactly(separate.runningVar());
        }
        // Not a trivial agreement: some outputs fired and some gradient reached the input.
        assertThat(nonZero(fused.output())).isPositive().isLessThan(fused.output().length);
        assertThat(nonZero(fused.gradX())).isPositive();
    }

    private record Result(
            int[] shape,
            float[] output,
            float[] gradX,
            float[] gradGamma,
            float[] gradBeta,
            float[] runningMean,
            float[] runningVar,
            double firingRate) {}

    /**
     * With real-valued spikes, every neuron far above the threshold and a surrogate that is zero
     * there, the neuron passes its input through (O = H = X, the reset clears V each step), so the
     * fused layer is batch norm then max pooling, a smooth function whose finite differences the
     * fused backward (pooling's routing, the neurons' chain, batch norm's sums) must match.
     */
    @ParameterizedTest
    @MethodSource("smoothCases")
    void gradientsMatchFiniteDifferencesWhereTheLayerIsSmooth(boolean repeated, boolean training) {
        var config = NeuronConfig.reverbLif().withSurrogate(new Rectangle(1f)).withVth(0.5f);
        int steps = 3;
        int[] shape = repeated ? new int[] {2, 3, 4, 6} : new int[] {steps, 2, 3, 4, 6};
        var rng = new SplittableRandom(5);
        Tensor x = GradCheck.random(rng, shape);
        // Distinct values far apart, so that no difference step changes a window's winner.
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((i * 37 % d.length) * 0.1 - 1);
        }
        BatchNorm bn = BatchNorm.of2d(3);
        bn.train(training);
        for (int c = 0; c < 3; c++) {
            bn.gamma().data()[c] = 0.5f + 0.2f * c;
            bn.beta().data()[c] = 6f + c; // normalised values stay well above vth + width / 2
            bn.runningMean()[c] = 0.3f;
            bn.runningVar()[c] = 2f;
        }
        LIFNode neuron = new ReverbLif(config);
        var pool = new MaxPool2d(2);
        GradCheck.check(
                in -> neuron.forwardPooled(in[0], bn, pool, repeated ? steps : 0),
                1e-2,
                1e-3,
                60,
                x,
                bn.gamma(),
                bn.beta());
        assertThat(neuron.lastFiringRate()).isEqualTo(1.0);
    }

    static Stream<Arguments> smoothCases() {
        return Stream.of(
                Arguments.of(false, true),
                Arguments.of(true, true),
                Arguments.of(false, false),
                Arguments.of(true, false));
    }

    @Test
    void sequentialFusesTheLayersInTrainingAndEvaluation() {
        BatchNorm bn = BatchNorm.of2d(2);
        LIFNode neuron = new LIFNode();
        var net = new Sequential(bn, neuron, new MaxPool2d(2));
        Tensor input = GradCheck.random(new SplittableRandom(2), 2, 3, 2, 6, 6);

        long[][] evalTimes;
        Tensor evaluated;
        OpProfiler.start();
        try (var off = NoGrad.enter()) {
            evaluated = net.forward(input);
        } finally {
            evalTimes = OpProfiler.stop();
        }
        assertThat(evaluated.shape()).containsExactly(2, 3, 2, 3, 3);
        assertThat(evalTimes[OpKind.POOLING.ordinal()][OpProfiler.FORWARD])
                .as("no separate pooling ran")
                .isZero();

        // A training step fused (the default) and with the layers one by one: the same numbers.
        float[] outputGradient =
                GradCheck.random(new SplittableRandom(5), 2, 3, 2, 3, 3).data();
        float[][] gradients = new float[2][];
        float[][] gammaGradients = new float[2][];
        float[][] outputs = new float[2][];
        for (int run = 0; run < 2; run++) {
            boolean fuse = run == 0;
            bn.gamma().zeroGrad();
            bn.beta().zeroGrad();
            Tensor x = Tensor.of(input.data().clone(), input.shape()).requiresGrad(true);
            long[][] times;
            Tensor out;
            OpProfiler.start();
            try (var separate = fuse ? null : LayerFusion.off()) {
                out = net.forward(x);
                out.backward(outputGradient);
            } finally {
                times = OpProfiler.stop();
            }
            if (fuse) {
                assertThat(times[OpKind.POOLING.ordinal()][OpProfiler.FORWARD]).isZero();
            } else {
                assertThat(times[OpKind.POOLING.ordinal()][OpProfiler.FORWARD]).isPositive();
                AtomicReference<List<Tensor>> inputs = new AtomicReference<>(new java.util.ArrayList<>());
                out.forEachInput(t -> inputs.get().add(t));
                assertThat(inputs.get()).doesNotContain(bn.gamma());
            }
            outputs[run] = out.data().clone();
            gradients[run] = x.grad().clone();
            gammaGradients[run] = bn.gamma().grad().clone();
        }
        assertThat(outputs[0]).containsExactly(outputs[1]).containsExactly(evaluated.data());
        assertThat(gradients[0]).containsExactly(gradients[1]);
        assertThat(gammaGradients[0]).containsExactly(gammaGradients[1]);
    }

    /**
     * A training step of fmnist-cnn, fused (both neuron layers, the first with the stem's batch
     * norm on the repeated stem output) and with the layers one by one: the same loss and the same
     * gradient of every parameter, up to the GEMMs' rounding.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"binary", "real"})
    void fmnistCnnTrainsTheSameFusedAndSeparate(String spikes) {
        var spec = dev.spikebit.core.models.ModelZoo.defaultSpec("fmnist-cnn")
                .withSpikes(dev.spikebit.core.models.SpikeKind.of(spikes, "spikes"));
        var rng = new SplittableRandom(6);
        float[] pixels = new float[4 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        int[] labels = {3, 1, 4, 1};
        float[] losses = new float[2];
        List<List<float[]>> gradients = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            var model = dev.spikebit.core.models.ModelZoo.build(spec, 9);
            model.train(true);
            long[][] times;
            OpProfiler.start();
            try (var separate = run == 0 ? null : LayerFusion.off()) {
                Tensor loss = Losses.crossEntropy(model.logits(Tensor.of(pixels.clone(), 4, 1, 28, 28)), labels);
                loss.backward();
                losses[run] = loss.item();
            } finally {
                times = OpProfiler.stop();
            }
            assertThat(times[OpKind.POOLING.ordinal()][OpProfiler.FORWARD] == 0)
                    .as("pooling runs fused exactly when fusion is on")
                    .isEqualTo(run == 0);
            gradients.add(model.parameters().stream().map(p -> p.grad().clone()).toList());
        }
        assertThat(losses[0]).isCloseTo(losses[1], org.assertj.core.api.Assertions.within(1e-5f));
        for (int p = 0; p < gradients.get(0).size(); p++) {
            float[] fused = gradients.get(0).get(p);
            float[] separate = gradients.get(1).get(p);
            double scale = 0;
            for (float v : separate) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("parameter %d has a gradient", p).isPositive();
            for (int i = 0; i < fused.length; i++) {
                assertThat((double) fused[i])
                        .as("parameter %d, element %d", p, i)
                        .isCloseTo(separate[i], org.assertj.core.api.Assertions.within(1e-5 * scale + 1e-7));
            }
        }
    }

    /**
     * fmnist-cnn in evaluation: both neuron layers run fused (the first with the stem's batch norm,
     * on the repeated stem output), and with fusion off (and recording on) one by one. The
     * logits agree (up to the GEMMs' rounding, which may depend on the arrays' alignment).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"binary", "real"})
    void fmnistCnnEvaluatesTheSameFusedAndSeparate(String spikes) {
        var spec = dev.spikebit.core.models.ModelZoo.defaultSpec("fmnist-cnn")
                .withSpikes(dev.spikebit.core.models.SpikeKind.of(spikes, "spikes"));
        var model = dev.spikebit.core.models.ModelZoo.build(spec, 9);
        var rng = new SplittableRandom(4);
        float[] pixels = new float[3 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        Tensor x = Tensor.of(pixels, 3, 1, 28, 28);
        // A training forward first, so that the running statistics are not the initial ones.
        model.logits(x);
        model.eval();
        Tensor fused;
        long[][] times;
        OpProfiler.start();
        try (var off = NoGrad.enter()) {
            fused = model.logits(x);
        } finally {
            times = OpProfiler.stop();
        }
        assertThat(times[OpKind.POOLING.ordinal()][OpProfiler.FORWARD]).isZero();
        Tensor separate;
        try (var off = LayerFusion.off()) {
            separate = model.logits(x);
        }
        assertThat(separate.requiresGrad()).isTrue();
        float[] want = separate.data();
        float[] got = fused.data();
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i])
                    .as("logit %d", i)
                    .isCloseTo(want[i], org.assertj.core.api.Assertions.within(1e-5f + 1e-5f * Math.abs(want[i])));
        }
    }

    /**
     * Backward computes the potentials again from the forward's own input: a second forward of the
     * same layer on other input, before the first one's backward, changes none of its gradients.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void backwardUsesItsOwnForwardsInput(boolean repeated) {
        int[] shape = repeated ? new int[] {2, 3, 8, 8} : new int[] {3, 2, 3, 8, 8};
        int steps = repeated ? 3 : 0;
        float[] first = GradCheck.random(new SplittableRandom(8), shape).data();
        float[] second = GradCheck.random(new SplittableRandom(9), shape).data();
        float[][] gradients = new float[2][];
        float[][] gammaGradients = new float[2][];
        for (int run = 0; run < 2; run++) {
            LIFNode neuron = new LIFNode(NeuronConfig.lif().withVth(0.3f));
            BatchNorm bn = BatchNorm.of2d(3);
            var pool = new MaxPool2d(2);
            Tensor x = Tensor.of(first.clone(), shape).requiresGrad(true);
            Tensor out = neuron.forwardPooled(x, bn, pool, steps);
            if (run == 1) {
                Tensor other = Tensor.of(second.clone(), shape).requiresGrad(true);
                assertThat(neuron.forwardPooled(other, bn, pool, steps)).isNotNull();
            }
            float[] gradient = new float[out.size()];
            java.util.Arrays.fill(gradient, 1f);
            out.backward(gradient);
            gradients[run] = x.grad().clone();
            gammaGradients[run] = bn.gamma().grad().clone();
        }
        assertThat(nonZero(gradients[0])).isPositive();
        assertThat(gradients[1]).containsExactly(gradients[0]);
        assertThat(gammaGradients[1]).containsExactly(gammaGradients[0]);
    }

    @Test
    void withoutGradientsNothingIsKeptForBackward() {
        LIFNode neuron = new LIFNode();
        Tensor x = GradCheck.random(new SplittableRandom(3), 2, 2, 3, 4, 4);
        Tensor fused;
        try (var off = NoGrad.enter()) {
            fused = neuron.forwardPooled(x, null, new MaxPool2d(2), 0);
        }
        assertThat(fused.requiresGrad()).isFalse();
        Tensor separate = new MaxPool2d(2).forward(new LIFNode().forward(x));
        assertThat(fused.data()).containsExactly(separate.data());
    }

    @Test
    void declinesWhatItDoesNotHandle() {
        LIFNode neuron = new LIFNode();
        Tensor x = GradCheck.random(new SplittableRandom(4), 2, 2, 3, 4, 4);
        assertThat(neuron.forwardPooled(x, null, new MaxPool2d(3, 1), 0)).isNull();
        assertThat(neuron.forwardPooled(x, BatchNorm.of2d(5), new MaxPool2d(2), 0))
                .isNull();
        assertThat(neuron.forwardPooled(x, null, new MaxPool2d(2), 4))
                .as("repeated needs [B, C, H, W]")
                .isNull();
        neuron.exposePotentials(true);
        assertThat(neuron.forwardPooled(x, null, new MaxPool2d(2), 0)).isNull();
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    private static int nonZero(float[] a) {
        int n = 0;
        for (float v : a) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }
}
