package dev.spikebit.core.neuron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused neuron layer gives the same outputs and input gradients as the same neuron composed
 * from primitive autograd operations, step by step, straight from docs/methods.md 1.
 */
class FusedVersusComposedNeuronTest {

    @ParameterizedTest
    @CsvSource({
        "atan, BINARY, true, 0.5", "atan, REAL, true, 0.5", "sigmoid:4, BINARY, false, 0.5",
        "triangle, REAL, false, 0.5", "rectangle, BINARY, true, 1.0", "atan:3, REAL, true, 1.0"
    })
    void fusedEqualsComposed(String surrogate, OutputMode mode, boolean detachReset, float tau) {
        NeuronConfig config = new NeuronConfig(tau, 1f, detachReset, Surrogate.parse(surrogate), mode);
        SplittableRandom rng = new SplittableRandom(11);
        int steps = 4;
        int[] shape = {steps, 3, 37};
        float[] x = new float[steps * 3 * 37];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 2.4 - 0.4);
        }
        float[] upstream = new float[x.length];
        for (int i = 0; i < upstream.length; i++) {
            upstream[i] = (float) (rng.nextDouble() * 2 - 1);
        }

        Tensor fusedIn = Tensor.of(x.clone(), shape).requiresGrad(true);
        Tensor fusedOut = new LIFNode(config).forward(fusedIn);
        fusedOut.backward(upstream);

        Tensor composedIn = Tensor.of(x.clone(), shape).requiresGrad(true);
        Tensor composedOut = composed(composedIn, config);
        composedOut.backward(upstream);

        assertThat(fusedOut.data()).containsExactly(composedOut.data(), within(1e-6f));
        assertThat(fusedIn.grad()).containsExactly(composedIn.grad(), within(1e-5f));
    }

    /** H = tau V + X; S = Theta(H - Vth); V = H (1 - S), reset gate detached if asked; O = S or H S. */
    private static Tensor composed(Tensor x, NeuronConfig c) {
        List<Tensor> outputs = new ArrayList<>();
        Tensor v = null;
        for (int t = 0; t < x.dim(0); t++) {
            Tensor xt = TimeOps.select(x, t);
            Tensor h = v == null ? xt : Elementwise.add(Elementwise.scale(v, c.tau()), xt);
            Tensor s = SurrogateSpike.heaviside(Elementwise.addScalar(h, -c.vth()), c.surrogate());
            Tensor gate = Elementwise.addScalar(Elementwise.scale(c.detachReset() ? s.detach() : s, -1f), 1f);
            v = Elementwise.mul(h, gate);
            outputs.add(c.output() == OutputMode.REAL ? Elementwise.mul(h, s) : s);
        }
        return TimeOps.stack(outputs);
    }
}
