package dev.spikebit.core.neuron.kernel;

/**
 * The multi-step LIF neuron with hard reset of docs/methods.md section 1, forward and backward, over
 * flat arrays. Inputs and outputs have shape {@code [T, N]}, time-major: element {@code (t, i)} sits
 * at {@code t * N + i}. The state starts at {@code V[-1] = 0}.
 *
 * <pre>
 *   H[t] = tau * V[t-1] + X[t]        charge
 *   S[t] = Theta(H[t] - vth)          fire (Theta(0) = 1: fire when H &gt;= vth)
 *   V[t] = H[t] * (1 - S[t])          hard reset to 0
 *   O[t] = S[t]  or  H[t] * S[t]      binary or ReverB real-valued spike
 * </pre>
 *
 * <p>Forward keeps only the pre-spike potentials {@code H}; backward recomputes {@code S} from them
 * as {@code H >= vth}. With {@code s'} the surrogate at {@code H - vth}, backward runs from the last
 * step to the first:
 *
 * <pre>
 *   dO/dH = s'                        binary
 *         = S + H * s'                real-valued
 *   dV/dH = 1 - S                     reset detached (the default)
 *         = 1 - S - H * s'            reset differentiated
 *   gH[t] = gO[t] * dO/dH[t] + tau * gH[t+1] * dV/dH[t],   gH[T] = 0
 *   gX[t] = gH[t]
 * </pre>
 *
 * <p>Backward may also take a gradient on the potentials {@code H} themselves, for losses that read
 * them; it adds into {@code gH[t]}.
 *
 * <p>Two implementations compute the same numbers: {@link #fused()}, one Vector API loop per pass
 * that keeps each neuron's state in a register across time, and {@link #reference()}, plain loops
 * written straight from the equations, which tests hold the fused one against.
 */
public sealed interface LifKernel permits FusedLifKernel, ReferenceLifKernel {

    /** The fast kernel: fused over time, vectorized over neurons, parallel over chunks of neurons. */
    static LifKernel fused() {
        return FusedLifKernel.INSTANCE;
    }

    /** The reference kernel: scalar loops straight from the equations. */
    static LifKernel reference() {
        return ReferenceLifKernel.INSTANCE;
    }

    /**
     * Runs the neuron over {@code steps} steps.
     *
     * @param x          the input current {@code X}, {@code [steps, neurons]}
     * @param steps      {@code T}, the number of time steps
     * @param neurons    {@code N}, the number of neurons per step
     * @param config     the neuron's constants and output mode
     * @param out        receives the output {@code O}, {@code [steps, neurons]}
     * @param potentials receives the pre-spike potentials {@code H}, {@code [steps, neurons]}, which
     *                   backward needs; {@code null} when no backward will follow
     */
    void forward(float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials);

    /**
     * Back-propagates through {@code steps} steps of the neuron, from a gradient on its output, on
     * its pre-spike potentials, or both. A gradient on {@code H[t]} (from a loss that reads the
     * potentials, such as MPFD distillation, docs/methods.md section 3) joins the recurrence where
     * {@code gH[t]} is formed: {@code gH[t] = gO[t] dO/dH + gHext[t] + tau gH[t+1] dV/dH}.
     *
     * @param gradOut        the gradient of the loss with respect to the output {@code O}, or
     *                       {@code null} for none
     * @param gradPotentials the gradient of the loss with respect to the potentials {@code H} as
     *                       forward returned them, or {@code null} for none
     * @param potentials     the pre-spike potentials {@code H} that {@link #forward} wrote
     * @param steps          {@code T}, as in forward
     * @param neurons        {@code N}, as in forward
     * @param config         the configuration forward ran with
     * @param gradX          receives the gradient with respect to the input {@code X}; may be the
     *                       same array as {@code gradOut} or {@code gradPotentials} unless
     *                       {@code accumulate} is set
     * @param accumulate     add into {@code gradX} (the autograd convention) instead of
     *                       overwriting it
     */
    void backward(
            float[] gradOut,
            float[] gradPotentials,
            float[] potentials,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate);

    /**
     * {@link #forward} on an input that is the same at every step (direct encoding's repeated stem
     * output), read from one step's array {@code x [N]} instead of a copy per step.
     */
    default void forwardRepeated(
            float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials) {
        LifArguments.checkRepeated("x", x, neurons);
        float[] repeated = new float[steps * neurons];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(x, 0, repeated, t * neurons, neurons);
        }
        forward(repeated, steps, neurons, config, out, potentials);
    }

    /**
     * Backward of {@link #forwardRepeated}: a gradient on the output alone, whose input gradients
     * of all steps are added into {@code gradX [N]}.
     */
    default void backwardRepeated(
            float[] gradOut, float[] potentials, int steps, int neurons, NeuronConfig config, float[] gradX) {
        LifArguments.checkRepeated("gradX", gradX, neurons);
        float[] perStep = new float[steps * neurons];
        backward(gradOut, potentials, steps, neurons, config, perStep);
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < neurons; i++) {
                gradX[i] += perStep[t * neurons + i];
            }
        }
    }

    /** Back-propagates a gradient on the output alone; the parameters are those of the full form. */
    default void backward(
            float[] gradOut,
            float[] potentials,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate) {
        backward(gradOut, null, potentials, steps, neurons, config, gradX, accumulate);
    }

    /** Back-propagates a gradient on the output alone, overwriting {@code gradX}. */
    default void backward(
            float[] gradOut, float[] potentials, int steps, int neurons, NeuronConfig config, float[] gradX) {
        backward(gradOut, null, potentials, steps, neurons, config, gradX, false);
    }
}
