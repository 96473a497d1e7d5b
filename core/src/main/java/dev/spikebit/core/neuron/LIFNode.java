package dev.spikebit.core.neuron;

import dev.spikebit.core.neuron.kernel.LifKernel;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.neuron.kernel.PooledLifKernel;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.PoolingNeuron;
import dev.spikebit.core.ops.BatchNormOp;
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
public class LIFNode extends Module implements PoolingNeuron {
    private final NeuronConfig config;
    private final LifKernel kernel;
    /** The output of the last forward; its firing rate is counted only when asked for. */
    private float[] lastOutput;
    /** The firing rate of the last forward when it ran fused with pooling (no full output kept). */
    private double lastPooledRate = Double.NaN;

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
        // Exposed potentials exist for a loss's gradient: a forward without one (evaluation) has none.
        boolean expose = exposePotentials && needBackward;
        // Potentials only backward reads go back to the pool when backward is done with them.
        boolean onlyForBackward = needBackward && !keepPotentials && !expose;
        float[] potentials = onlyForBackward
                ? RecycledArrays.take(x.size())
                : needBackward || keepPotentials ? new float[x.size()] : null;
        kernel.forward(x.data(), steps, neurons, config, out, potentials);
        lastOutput = out;
        lastPooledRate = Double.NaN;
        if (keepPotentials) {
            lastPotentials = Tensor.of(potentials, x.shape());
        }
        exposedPotentials = expose
                ? Tensor.result(
                        potentials, x.shape(), gH -> potentialBackward(gH, potentials, steps, neurons, x.grad()), x)
                : null;
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
        if (keepPotentials || exposesNow() || steps < 1) {
            return forward(TimeOps.repeatTime(x, steps));
        }
        try (var scope = OpProfiler.time(OpKind.NEURON)) {
            int neurons = x.size();
            float[] out = new float[steps * neurons];
            boolean needBackward = x.requiresGrad() && NoGrad.isRecording();
            float[] potentials = needBackward ? RecycledArrays.take(steps * neurons) : null;
            kernel.forwardRepeated(x.data(), steps, neurons, config, out, potentials);
            lastOutput = out;
            lastPooledRate = Double.NaN;
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

    /**
     * {@inheritDoc}
     *
     * <p>Applies to 2x2, stride 2 pooling of {@code [T, B, C, H, W]} (or a repeated {@code [B, C, H,
     * W]}) after a two-dimensional batch norm or none, while potentials are neither kept nor
     * exposed ({@link PooledLifKernel}).
     */
    @Override
    public Tensor forwardPooled(Tensor x, BatchNorm norm, MaxPool2d pool, int repeatSteps) {
        boolean repeated = repeatSteps > 0;
        if (keepPotentials
                || exposesNow()
                || pool.kernel() != 2
                || pool.stride() != 2
                || x.rank() != (repeated ? 4 : 5)
                || x.dim(-1) < 2
                || x.dim(-2) < 2
                || norm != null && (!norm.is2d() || norm.channels() != x.dim(-3))) {
            return null;
        }
        try (var scope = OpProfiler.time(OpKind.NEURON)) {
            return firePooled(x, norm, repeated ? repeatSteps : x.dim(0), repeated);
        }
    }

    private Tensor firePooled(Tensor x, BatchNorm norm, int steps, boolean repeated) {
        int batch = repeated ? x.dim(0) : x.dim(1);
        int channels = x.dim(-3);
        int height = x.dim(-2);
        int width = x.dim(-1);
        var shape = new PooledLifKernel.Planes(steps, batch * channels, channels, height, width, repeated);
        Tensor gamma = norm == null ? null : norm.gamma();
        Tensor beta = norm == null ? null : norm.beta();
        boolean needBackward = NoGrad.isRecording()
                && (x.requiresGrad() || norm != null && (gamma.requiresGrad() || beta.requiresGrad()));
        // Batch norm's planes: one step's batch when repeated, else every step's.
        int normPlanes = (repeated ? 1 : steps) * batch;
        int spatial = height * width;
        boolean training = norm != null && norm.isTraining();
        BatchNormOp.Statistics stats = null;
        float[] scale = null;
        float[] shift = null;
        if (norm != null) {
            try (var scope = OpProfiler.time(OpKind.BATCH_NORM)) {
                stats = BatchNormOp.statistics(
                        x.data(),
                        normPlanes,
                        channels,
                        spatial,
                        norm.runningMean(),
                        norm.runningVar(),
                        training,
                        norm.momentum(),
                        norm.eps());
                scale = new float[channels];
                shift = new float[channels];
                stats.scaleShift(gamma.data(), beta.data(), scale, shift);
            }
        }
        float[] pooled = new float[shape.pooledSize()];
        byte[] winners = needBackward ? new byte[shape.pooledSize()] : null;
        long fired = PooledLifKernel.forward(x.data(), scale, shift, shape, config, pooled, winners);
        lastOutput = null;
        lastPooledRate = (double) fired / shape.neuronCount();
        int[] outShape = {steps, batch, channels, height / 2, width / 2};
        // Backward computes the potentials again from the input and this affine map.
        float[] inputScale = scale;
        float[] inputShift = shift;
        if (norm == null) {
            return Tensor.result(
                    pooled,
                    outShape,
                    g -> PooledLifKernel.backward(
                            g,
                            x.data(),
                            null,
                            null,
                            winners,
                            shape,
                            config,
                            PooledLifKernel.InputGradient.addInto(x.grad())),
                    x);
        }
        BatchNormOp.Statistics normStats = stats;
        return Tensor.result(
                pooled,
                outShape,
                g -> {
                    // The gradient of the normalised input (every element written) with its plane
                    // sums, then batch norm's backward from them.
                    float[] gradNorm = RecycledArrays.take(shape.inputSize());
                    float[] planeSum = new float[normPlanes * channels];
                    float[] planeDot = new float[normPlanes * channels];
                    PooledLifKernel.backward(
                            g,
                            x.data(),
                            inputScale,
                            inputShift,
                            winners,
                            shape,
                            config,
                            PooledLifKernel.InputGradient.forNorm(gradNorm, x.data(), planeSum, planeDot));
                    try (var scope = OpProfiler.time(OpKind.BATCH_NORM)) {
                        BatchNormOp.backward(
                                gradNorm,
                                planeSum,
                                planeDot,
                                x,
                                normPlanes,
                                channels,
                                gamma,
                                beta,
                                normStats,
                                training);
                    }
                    RecycledArrays.release(gradNorm);
                },
                x,
                gamma,
                beta);
    }

    /** Share of outputs that were non-zero in the last forward, or NaN before the first. */
    public double lastFiringRate() {
        return lastOutput == null ? lastPooledRate : nonZeroShare(lastOutput);
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

    /**
     * The pre-spike potentials of the last forward, with gradient, when {@link #exposePotentials} is
     * on and that forward recorded gradients (null after a forward without, such as an evaluation).
     */
    public Tensor exposedPotentials() {
        return exposedPotentials;
    }

    /** Whether a forward now would expose its potentials: on, and gradients are being recorded. */
    private boolean exposesNow() {
        return exposePotentials && NoGrad.isRecording();
    }

    /**
     * Forgets the kept and exposed potentials of the last forward, for a loss that has taken them:
     * exposed potentials hold the graph of the whole forward that made them, which would otherwise
     * stay reachable until the next forward replaced them.
     */
    public void releasePotentials() {
        lastPotentials = null;
        exposedPotentials = null;
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
