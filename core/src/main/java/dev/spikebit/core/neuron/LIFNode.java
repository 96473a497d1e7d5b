package dev.spikebit.core.neuron;

import dev.spikebit.core.neuron.kernel.LifKernel;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.RecycledArrays;
import dev.spikebit.core.tensor.Shapes;
import dev.spikebit.core.tensor.Tensor;

/**
 * A multi-step leaky integrate-and-fire neuron layer (docs/methods.md 1), named as in SpikingJelly.
 * Input {@code [T, B, ...]}: the first axis is time, everything else is one neuron each.
 *
 * <p>Forward and backward are each one fused kernel call over all T steps ({@link LifKernel}); the
 * only thing kept for backward is the pre-spike potential H. The output is the binary spike S,
 * or, for {@link ReverbLif}, the real-valued spike H * S.
 *
 * <p>The layer records the firing rate of its last forward (share of non-zero outputs), which
 * the efficiency accounting reads (docs/methods.md 4).
 */
public class LIFNode extends Module {
    private final NeuronConfig config;
    private final LifKernel kernel;
    /** The output of the last forward; its firing rate is counted only when asked for. */
    private float[] lastOutput;

    private Tensor lastPotentials;
    private boolean keepPotentials;
    private boolean exposePotentials;
    private Tensor exposedPotentials;

    public LIFNode(NeuronConfig config) {
        this.config = config;
        this.kernel = LifKernel.fused();
    }

    /** The defaults of docs/methods.md 1: tau 0.5, Vth 1, hard reset detached, atan(alpha 2), binary spikes. */
    public LIFNode() {
        this(NeuronConfig.lif());
    }

    public NeuronConfig config() {
        return config;
    }

    @Override
    public Tensor forward(Tensor x) {
        try (var scope = OpProfiler.time(OpKind.NEURON)) {
            return fire(x);
        }
    }

    private Tensor fire(Tensor x) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(describe() + " expects a multi-step tensor [T, B, ...], got " + x);
        }
        int steps = x.dim(0);
        int neurons = x.size() / steps;
        float[] out = new float[x.size()];
        boolean needBackward = x.requiresGrad() && NoGrad.isRecording();
        // Potentials only backward reads go back to the pool when backward is done with them.
        boolean onlyForBackward = needBackward && !keepPotentials && !exposePotentials;
        float[] potentials = onlyForBackward
                ? RecycledArrays.take(x.size())
                : needBackward || keepPotentials || exposePotentials ? new float[x.size()] : null;
        kernel.forward(x.data(), steps, neurons, config, out, potentials);
        lastOutput = out;
        if (keepPotentials) {
            lastPotentials = Tensor.of(potentials, x.shape());
        }
        if (exposePotentials) {
            exposedPotentials = Tensor.result(
                    potentials, x.shape(), gH -> potentialBackward(gH, potentials, steps, neurons, x.grad()), x);
        }
        return Tensor.result(
                out,
                x.shape(),
                g -> {
                    kernel.backward(g, potentials, steps, neurons, config, x.grad(), true);
                    if (onlyForBackward) {
                        RecycledArrays.release(potentials);
                    }
                },
                x);
    }

    /**
     * The layer on {@code x [B, ...]} repeated over {@code steps} steps, as {@code forward} of
     * {@code TimeOps.repeatTime(x, steps)} would compute it, without making the T copies: direct
     * encoding's stem output goes straight into the first neurons, and backward adds the steps'
     * input gradients into {@code x}'s. With potentials kept or exposed it takes the general path.
     */
    public Tensor forwardRepeated(Tensor x, int steps) {
        if (keepPotentials || exposePotentials || steps < 1) {
            return forward(TimeOps.repeatTime(x, steps));
        }
        try (var scope = OpProfiler.time(OpKind.NEURON)) {
            int neurons = x.size();
            float[] out = new float[steps * neurons];
            boolean needBackward = x.requiresGrad() && NoGrad.isRecording();
            float[] potentials = needBackward ? RecycledArrays.take(steps * neurons) : null;
            kernel.forwardRepeated(x.data(), steps, neurons, config, out, potentials);
            lastOutput = out;
            return Tensor.result(
                    out,
                    Shapes.prepend(steps, x.shape()),
                    g -> {
                        kernel.backwardRepeated(g, potentials, steps, neurons, config, x.grad());
                        RecycledArrays.release(potentials);
                    },
                    x);
        }
    }

    /** Share of outputs that were non-zero in the last forward, or NaN before the first. */
    public double lastFiringRate() {
        return lastOutput == null ? Double.NaN : nonZeroShare(lastOutput);
    }

    /**
     * Keeps the pre-spike potentials H of each forward (without gradient) for inspection; off by
     * default because they cost one float per neuron and step.
     */
    public void keepPotentials(boolean on) {
        this.keepPotentials = on;
        if (!on) {
            lastPotentials = null;
        }
    }

    /** The pre-spike potentials of the last forward, when {@link #keepPotentials(boolean)} is on. */
    public Tensor lastPotentials() {
        return lastPotentials;
    }

    /**
     * Exposes the pre-spike potentials H of each forward as a tensor that carries gradient back to
     * the input (for membrane-potential distillation, docs/methods.md 3). A loss on
     * {@link #exposedPotentials()} adds {@code dL/dH[t]} to the gradient that flows through the
     * recurrence {@code H[t] = tau V[t-1] + X[t]}, {@code V[t] = H[t] (1 - S[t])}; the spikes'
     * own backward is unchanged. Off by default.
     */
    public void exposePotentials(boolean on) {
        this.exposePotentials = on;
        if (!on) {
            exposedPotentials = null;
        }
    }

    /** The pre-spike potentials of the last forward, with gradient, when {@link #exposePotentials} is on. */
    public Tensor exposedPotentials() {
        return exposedPotentials;
    }

    /**
     * Backward of H alone: the LIF backward with no gradient on the output and {@code gH} added at
     * each step, {@code gHtot[t] = gH[t] + tau * gHtot[t+1] * dV[t]/dH[t]}, {@code dL/dX[t] += gHtot[t]}.
     * The spikes' backward ({@link LifKernel#backward}) is linear in its incoming gradient, so the
     * two backward passes add up to the backward of a loss on both outputs.
     */
    private void potentialBackward(float[] gH, float[] potentials, int steps, int neurons, float[] gradX) {
        float tau = config.tau();
        float vth = config.vth();
        float[] next = new float[neurons];
        for (int t = steps - 1; t >= 0; t--) {
            for (int i = 0, at = t * neurons; i < neurons; i++, at++) {
                float h = potentials[at];
                float s = h >= vth ? 1f : 0f;
                float dVdH = config.detachReset()
                        ? 1f - s
                        : (1f - s) - h * config.surrogate().derivative(h - vth);
                float g = gH[at] + tau * next[i] * dVdH;
                next[i] = g;
                gradX[at] += g;
            }
        }
    }

    private static double nonZeroShare(float[] out) {
        int count = 0;
        for (float v : out) {
            if (v != 0f) {
                count++;
            }
        }
        return out.length == 0 ? 0 : (double) count / out.length;
    }

    @Override
    public String describe() {
        return String.format(
                "%s(tau=%s, vth=%s, %s%s)",
                getClass().getSimpleName(),
                config.tau(),
                config.vth(),
                config.surrogate().spec(),
                config.output() == OutputMode.REAL ? ", real-valued spikes" : "");
    }
}
