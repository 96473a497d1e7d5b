package dev.spikebit.core.neuron;

import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.core.tensor.Tensor;

/**
 * The firing function as a primitive autograd operation: forward the Heaviside step
 * {@code Theta(x)} (1 where x >= 0), backward the surrogate derivative (docs/methods.md 1). Neurons
 * built from primitive operations use it; the fused neurons compute the same thing in one loop.
 */
public final class SurrogateSpike {
    private SurrogateSpike() {}

    public static Tensor heaviside(Tensor x, Surrogate surrogate) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] >= 0f ? 1f : 0f;
        }
        return Tensor.result(
                out,
                x.shape(),
                g -> {
                    float[] gx = x.grad();
                    for (int i = 0; i < in.length; i++) {
                        gx[i] += g[i] * surrogate.derivative(in[i]);
                    }
                },
                x);
    }
}
