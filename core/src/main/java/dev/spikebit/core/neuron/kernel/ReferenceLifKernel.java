package dev.spikebit.core.neuron.kernel;

/**
 * The LIF equations of {@link LifKernel} written out as plain scalar loops, one step of the whole
 * layer at a time, as they read in docs/methods.md section 1. Slow and obviously right: the fused
 * kernel's tests compare against it.
 */
final class ReferenceLifKernel implements LifKernel {
    static final ReferenceLifKernel INSTANCE = new ReferenceLifKernel();

    private ReferenceLifKernel() {}

    @Override
    public void forward(float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials) {
        LifArguments.checkForward(x, steps, neurons, config, out, potentials);
        float tau = config.tau();
        float vth = config.vth();
        float[] v = new float[neurons]; // V[-1] = 0
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < neurons; i++) {
                int at = t * neurons + i;
                float h = tau * v[i] + x[at];
                float s = h >= vth ? 1f : 0f;
                v[i] = h * (1f - s);
                out[at] = config.output() == OutputMode.BINARY ? s : h * s;
                if (potentials != null) {
                    potentials[at] = h;
                }
            }
        }
    }

    @Override
    public void backward(
            float[] gradOut,
            float[] gradPotentials,
            float[] potentials,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate) {
        LifArguments.checkBackward(gradOut, gradPotentials, potentials, steps, neurons, config, gradX, accumulate);
        float tau = config.tau();
        float vth = config.vth();
        float[] gradHNext = new float[neurons]; // gH[T] = 0
        for (int t = steps - 1; t >= 0; t--) {
            for (int i = 0; i < neurons; i++) {
                int at = t * neurons + i;
                float h = potentials[at];
                float s = h >= vth ? 1f : 0f;
                float sg = config.surrogate().derivative(h - vth);
                float dOdH = config.output() == OutputMode.BINARY ? sg : s + h * sg;
                float dVdH = config.detachReset() ? 1f - s : (1f - s) - h * sg;
                float gradV = tau * gradHNext[i];
                float fromOut = gradOut == null ? 0f : gradOut[at] * dOdH;
                float fromPotential = gradPotentials == null ? 0f : gradPotentials[at];
                float gradH = fromOut + fromPotential + gradV * dVdH;
                gradHNext[i] = gradH;
                gradX[at] = accumulate ? gradX[at] + gradH : gradH;
            }
        }
    }
}
