package dev.spikebit.core.neuron.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.neuron.surrogate.ATan;
import dev.spikebit.core.neuron.surrogate.Rectangle;
import dev.spikebit.core.neuron.surrogate.Sigmoid;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.core.neuron.surrogate.Triangle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LifKernelTest {
    private static final LifKernel FUSED = LifKernel.fused();
    private static final LifKernel REFERENCE = LifKernel.reference();

    // ------------------------------------------------------------------ a trace computed by hand

    /** X = [0.6, 0.6, 0.6, 1.5] into one LIF neuron, tau = 0.5, vth = 1. */
    private static final float[] TRACE_X = {0.6f, 0.6f, 0.6f, 1.5f};

    @Test
    void lifTraceByHand() {
        for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
            var config = NeuronConfig.lif();
            float[] out = new float[4];
            float[] h = new float[4];
            kernel.forward(TRACE_X, 4, 1, config, out, h);
            // t0: H = 0.6            below threshold, V = 0.6
            // t1: H = 0.3 + 0.6 = 0.9, below, V = 0.9
            // t2: H = 0.45 + 0.6 = 1.05, fires, V = 0
            // t3: H = 0 + 1.5 = 1.5, fires, V = 0
            assertClose(h, new float[] {0.6f, 0.9f, 1.05f, 1.5f}, 1e-6f);
            assertClose(out, new float[] {0f, 0f, 1f, 1f}, 0f);
            // V[t-1] = (H[t] - X[t]) / tau: the state each step started from
            assertClose(stateBefore(h, TRACE_X, 0.5f), new float[] {0.6f, 0.9f, 0f}, 1e-6f);

            kernel.forward(TRACE_X, 4, 1, config.withOutput(OutputMode.REAL), out, h);
            assertClose(out, new float[] {0f, 0f, 1.05f, 1.5f}, 1e-6f);
        }
    }

    @Test
    void integrateAndFireTraceByHand() {
        for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
            float[] out = new float[4];
            float[] h = new float[4];
            kernel.forward(TRACE_X, 4, 1, NeuronConfig.integrateAndFire(), out, h);
            // H = 0.6, 1.2 (fires, V = 0), 0.6, 2.1 (fires)
            assertClose(h, new float[] {0.6f, 1.2f, 0.6f, 2.1f}, 1e-6f);
            assertClose(out, new float[] {0f, 1f, 0f, 1f}, 0f);
            assertClose(stateBefore(h, TRACE_X, 1f), new float[] {0.6f, 0f, 0.6f}, 1e-6f);
        }
    }

    @Test
    void firesExactlyAtTheThreshold() {
        for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
            float[] out = new float[2];
            kernel.forward(new float[] {1f, 1f}, 2, 1, NeuronConfig.lif(), out, null);
            assertClose(out, new float[] {1f, 1f}, 0f); // H = 1 >= vth, reset, H = 1 again
        }
    }

    @Test
    void lifBackwardTraceByHand() {
        // atan with alpha = 2: s'(x) = 1 / (1 + (pi x)^2); gO = 1 at every step, reset detached
        double sg3 = atan2(0.5); // H = 1.5, fired
        double sg2 = atan2(0.05); // H = 1.05, fired: dV/dH = 0
        double sg1 = atan2(-0.1); // H = 0.9
        double sg0 = atan2(-0.4); // H = 0.6
        double g3 = sg3;
        double g2 = sg2 + 0.5 * g3 * 0;
        double g1 = sg1 + 0.5 * g2 * 1;
        double g0 = sg0 + 0.5 * g1 * 1;
        float[] binary = {(float) g0, (float) g1, (float) g2, (float) g3};
        // real-valued: dO/dH = S + H s'
        double r3 = 1 + 1.5 * sg3;
        double r2 = 1 + 1.05 * sg2;
        double r1 = 0.9 * sg1 + 0.5 * r2;
        double r0 = 0.6 * sg0 + 0.5 * r1;
        float[] real = {(float) r0, (float) r1, (float) r2, (float) r3};
        // reset differentiated: dV/dH = 1 - S - H s'
        double d3 = sg3;
        double d2 = sg2 + 0.5 * d3 * (0 - 1.05 * sg2);
        double d1 = sg1 + 0.5 * d2 * (1 - 0.9 * sg1);
        double d0 = sg0 + 0.5 * d1 * (1 - 0.6 * sg0);
        float[] attached = {(float) d0, (float) d1, (float) d2, (float) d3};

        float[] ones = {1f, 1f, 1f, 1f};
        for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
            float[] h = new float[4];
            float[] gradX = new float[4];
            kernel.forward(TRACE_X, 4, 1, NeuronConfig.lif(), new float[4], h);
            kernel.backward(ones, h, 4, 1, NeuronConfig.lif(), gradX);
            assertClose(gradX, binary, 1e-6f);
            kernel.backward(ones, h, 4, 1, NeuronConfig.reverbLif(), gradX);
            assertClose(gradX, real, 1e-6f);
            kernel.backward(ones, h, 4, 1, NeuronConfig.lif().withDetachReset(false), gradX);
            assertClose(gradX, attached, 1e-6f);
        }
    }

    private static double atan2(double x) {
        return 1 / (1 + Math.PI * x * Math.PI * x);
    }

    // ------------------------------------------------------------------ fused against reference

    static Stream<NeuronConfig> configs() {
        List<NeuronConfig> configs = new ArrayList<>();
        for (Surrogate surrogate :
                List.of(new ATan(), new Sigmoid(), new Triangle(), new Rectangle(), new Triangle(0.3f))) {
            for (OutputMode output : OutputMode.values()) {
                for (boolean detachReset : new boolean[] {true, false}) {
                    for (float tau : new float[] {0.5f, 1f}) {
                        configs.add(new NeuronConfig(tau, 1f, detachReset, surrogate, output));
                    }
                }
            }
        }
        return configs.stream();
    }

    /** Neuron counts around the vector length, with tails, and one large enough to split over cores. */
    private static final int[] NEURONS = {1, 5, 16, 37, 67, 20_011};

    private static final int[] STEPS = {1, 4};

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void fusedForwardMatchesReference(NeuronConfig config) {
        for (int steps : STEPS) {
            for (int neurons : NEURONS) {
                float[] x = inputs(steps, neurons, new Random(31L * steps + neurons));
                int size = steps * neurons;
                float[] out = new float[size];
                float[] h = new float[size];
                float[] expectedOut = new float[size];
                float[] expectedH = new float[size];
                FUSED.forward(x, steps, neurons, config, out, h);
                REFERENCE.forward(x, steps, neurons, config, expectedOut, expectedH);
                assertClose(h, expectedH, 1e-6f);
                assertClose(out, expectedOut, 1e-6f);

                float[] outOnly = new float[size];
                FUSED.forward(x, steps, neurons, config, outOnly, null);
                assertClose(outOnly, expectedOut, 0f);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void fusedBackwardMatchesReference(NeuronConfig config) {
        for (int steps : STEPS) {
            for (int neurons : NEURONS) {
                var random = new Random(17L * steps + neurons);
                float[] x = inputs(steps, neurons, random);
                int size = steps * neurons;
                float[] h = new float[size];
                REFERENCE.forward(x, steps, neurons, config, new float[size], h);
                float[] gradOut = gaussian(size, random);
                float[] gradX = new float[size];
                float[] expected = new float[size];
                FUSED.backward(gradOut, h, steps, neurons, config, gradX);
                REFERENCE.backward(gradOut, h, steps, neurons, config, expected);
                assertRelativelyClose(gradX, expected, 1e-5f);

                // a gradient on the potentials, alone and with one on the output
                float[] gradH = gaussian(size, random);
                FUSED.backward(null, gradH, h, steps, neurons, config, gradX, false);
                REFERENCE.backward(null, gradH, h, steps, neurons, config, expected, false);
                assertRelativelyClose(gradX, expected, 1e-5f);
                FUSED.backward(gradOut, gradH, h, steps, neurons, config, gradX, false);
                REFERENCE.backward(gradOut, gradH, h, steps, neurons, config, expected, false);
                assertRelativelyClose(gradX, expected, 1e-5f);
            }
        }
    }

    /**
     * An input repeated over time read from one step (direct encoding's stem output): the same
     * outputs and potentials as the T copies, and backward adds the T input gradients into one
     * step's array, on top of what it held.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void repeatedInputMatchesItsCopies(NeuronConfig config) {
        for (int steps : STEPS) {
            for (int neurons : NEURONS) {
                var random = new Random(23L * steps + neurons);
                float[] step = inputs(1, neurons, random);
                int size = steps * neurons;
                float[] copies = new float[size];
                for (int t = 0; t < steps; t++) {
                    System.arraycopy(step, 0, copies, t * neurons, neurons);
                }
                float[] expectedOut = new float[size];
                float[] expectedH = new float[size];
                REFERENCE.forward(copies, steps, neurons, config, expectedOut, expectedH);
                for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
                    float[] out = new float[size];
                    float[] h = new float[size];
                    kernel.forwardRepeated(step, steps, neurons, config, out, h);
                    assertClose(h, expectedH, 1e-6f);
                    assertClose(out, expectedOut, 1e-6f);
                }

                float[] gradOut = gaussian(size, random);
                float[] perStep = new float[size];
                REFERENCE.backward(gradOut, expectedH, steps, neurons, config, perStep);
                float[] start = gaussian(neurons, random);
                float[] expected = start.clone();
                for (int t = 0; t < steps; t++) {
                    for (int i = 0; i < neurons; i++) {
                        expected[i] += perStep[t * neurons + i];
                    }
                }
                for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
                    float[] gradX = start.clone();
                    kernel.backwardRepeated(gradOut, expectedH, steps, neurons, config, gradX);
                    assertRelativelyClose(gradX, expected, 1e-5f);
                }
            }
        }
        assertThatThrownBy(() -> FUSED.forwardRepeated(new float[3], 2, 4, config, new float[8], null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x must hold one step");
    }

    @Test
    void backwardAccumulatesIntoGradX() {
        var config = NeuronConfig.reverbLif().withSurrogate(new Sigmoid());
        int steps = 4;
        int neurons = 203;
        var random = new Random(5);
        float[] x = inputs(steps, neurons, random);
        float[] h = new float[steps * neurons];
        FUSED.forward(x, steps, neurons, config, new float[h.length], h);
        float[] gradOut = gaussian(h.length, random);
        float[] fresh = new float[h.length];
        FUSED.backward(gradOut, h, steps, neurons, config, fresh);
        for (LifKernel kernel : List.of(FUSED, REFERENCE)) {
            float[] before = gaussian(h.length, random);
            float[] gradX = before.clone();
            kernel.backward(gradOut, h, steps, neurons, config, gradX, true);
            for (int k = 0; k < h.length; k++) {
                assertThat(gradX[k]).isCloseTo(before[k] + fresh[k], within(1e-5f));
            }
        }
    }

    @Test
    void backwardMayWriteOverItsIncomingGradient() {
        var config = NeuronConfig.lif().withDetachReset(false);
        int steps = 4;
        int neurons = 99;
        var random = new Random(6);
        float[] h = new float[steps * neurons];
        FUSED.forward(inputs(steps, neurons, random), steps, neurons, config, new float[h.length], h);
        float[] gradOut = gaussian(h.length, random);
        float[] expected = new float[h.length];
        REFERENCE.backward(gradOut, h, steps, neurons, config, expected);
        FUSED.backward(gradOut, h, steps, neurons, config, gradOut);
        assertRelativelyClose(gradOut, expected, 1e-5f);
    }

    // ------------------------------------------------------------------ finite differences

    /**
     * With every H far from the threshold the output is a piecewise-linear function of X that
     * stays on one piece within the finite-difference step. A surrogate that vanishes there
     * (rectangle, triangle) leaves backward with the exact derivative of that piece: dO/dH = S for
     * real-valued spikes and dV/dH = 1 - S with or without the reset detached. So backward must
     * agree with central differences of the forward pass, for a loss on the outputs and on the
     * potentials.
     */
    @Test
    void realValuedGradientMatchesFiniteDifferences() {
        int steps = 4;
        int neurons = 29;
        float margin = 0.65f; // beyond the support of both surrogates below, plus the FD step's reach
        var random = new Random(11);
        for (Surrogate surrogate : List.of(new Rectangle(), new Triangle(0.5f))) {
            for (boolean detachReset : new boolean[] {true, false}) {
                for (float tau : new float[] {0.5f, 1f}) {
                    var config = new NeuronConfig(tau, 1f, detachReset, surrogate, OutputMode.REAL);
                    float[] x = inputsAwayFromThreshold(steps, neurons, config, margin, random);
                    float[] weights = gaussian(steps * neurons, random);
                    float[] potentialWeights = gaussian(steps * neurons, random);
                    float[] h = new float[x.length];
                    FUSED.forward(x, steps, neurons, config, new float[x.length], h);
                    float[] gradX = new float[x.length];
                    FUSED.backward(weights, potentialWeights, h, steps, neurons, config, gradX, false);

                    // The kernel exists in float only, so the differences are of float forward
                    // passes (summed in double). The function is linear within the step, so a wide
                    // step costs no truncation error and divides the rounding error by its width.
                    float eps = 5e-2f;
                    int firing = 0;
                    for (int k = 0; k < x.length; k++) {
                        firing += h[k] >= 1f ? 1 : 0;
                        float[] plus = x.clone();
                        float[] minus = x.clone();
                        plus[k] += eps;
                        minus[k] -= eps;
                        double slope = (loss(plus, steps, neurons, config, weights, potentialWeights)
                                        - loss(minus, steps, neurons, config, weights, potentialWeights))
                                / (plus[k] - minus[k]);
                        assertThat((double) gradX[k])
                                .as("%s, dL/dX[%d]", config, k)
                                .isCloseTo(slope, within(1e-3));
                    }
                    // the check means something only if both sides of the threshold occur
                    assertThat(firing).isBetween(x.length / 8, x.length - x.length / 8);
                }
            }
        }
    }

    /** L = sum of weights * O + sum of potentialWeights * H, in double. */
    private static double loss(
            float[] x, int steps, int neurons, NeuronConfig config, float[] weights, float[] potentialWeights) {
        float[] out = new float[x.length];
        float[] h = new float[x.length];
        FUSED.forward(x, steps, neurons, config, out, h);
        double sum = 0;
        for (int k = 0; k < out.length; k++) {
            sum += (double) weights[k] * out[k] + (double) potentialWeights[k] * h[k];
        }
        return sum;
    }

    /** Draws each neuron's inputs until none of its potentials lies within {@code margin} of vth. */
    private static float[] inputsAwayFromThreshold(
            int steps, int neurons, NeuronConfig config, float margin, Random random) {
        float[] x = new float[steps * neurons];
        float[] column = new float[steps];
        float[] h = new float[steps];
        for (int i = 0; i < neurons; i++) {
            do {
                for (int t = 0; t < steps; t++) {
                    column[t] = -1f + 4f * random.nextFloat();
                }
                REFERENCE.forward(column, steps, 1, config, new float[steps], h);
            } while (!allAway(h, config.vth(), margin));
            for (int t = 0; t < steps; t++) {
                x[t * neurons + i] = column[t];
            }
        }
        return x;
    }

    private static boolean allAway(float[] h, float vth, float margin) {
        for (float v : h) {
            if (Math.abs(v - vth) < margin) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ arguments

    @Test
    void rejectsArraysTooShortForTheShape() {
        assertThatThrownBy(() -> FUSED.forward(new float[7], 2, 4, NeuronConfig.lif(), new float[8], null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x holds 7 floats")
                .hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> REFERENCE.backward(new float[8], new float[8], 2, 4, NeuronConfig.lif(), new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gradX holds 3 floats");
        float[] same = new float[8];
        assertThatThrownBy(() -> FUSED.backward(same, new float[8], 2, 4, NeuronConfig.lif(), same, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FUSED.backward(null, same, new float[8], 2, 4, NeuronConfig.lif(), same, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        FUSED.backward(null, new float[7], new float[8], 2, 4, NeuronConfig.lif(), new float[8], false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gradPotentials holds 7 floats");
    }

    @Test
    void emptyShapesDoNothing() {
        FUSED.forward(new float[0], 0, 5, NeuronConfig.lif(), new float[0], new float[0]);
        FUSED.backward(new float[0], new float[0], 3, 0, NeuronConfig.lif(), new float[0]);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Inputs in [-0.5, 1.5) so that about half the potentials cross the threshold, with some set so
     * that H lands exactly on vth = 1 at the first step.
     */
    private static float[] inputs(int steps, int neurons, Random random) {
        float[] x = new float[steps * neurons];
        for (int k = 0; k < x.length; k++) {
            x[k] = -0.5f + 2f * random.nextFloat();
        }
        for (int i = 0; i < neurons; i += 3) {
            x[i] = 1f;
        }
        return x;
    }

    private static float[] gaussian(int size, Random random) {
        float[] values = new float[size];
        for (int k = 0; k < size; k++) {
            values[k] = (float) random.nextGaussian();
        }
        return values;
    }

    private static float[] stateBefore(float[] h, float[] x, float tau) {
        float[] v = new float[h.length - 1];
        for (int t = 1; t < h.length; t++) {
            v[t - 1] = (h[t] - x[t]) / tau;
        }
        return v;
    }

    /** Element-wise |actual - expected| <= tolerance (so -0 equals 0). */
    private static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertWithin(actual, expected, tolerance, false);
    }

    /** Element-wise |actual - expected| <= tolerance * max(1, |expected|). */
    private static void assertRelativelyClose(float[] actual, float[] expected, float tolerance) {
        assertWithin(actual, expected, tolerance, true);
    }

    private static void assertWithin(float[] actual, float[] expected, float tolerance, boolean relative) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int k = 0; k < expected.length; k++) {
            float bound = relative ? tolerance * Math.max(1f, Math.abs(expected[k])) : tolerance;
            if (!(Math.abs(actual[k] - expected[k]) <= bound)) {
                assertThat(actual[k]).as("element %d of %d", k, expected.length).isCloseTo(expected[k], within(bound));
            }
        }
    }
}
