package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.neuron.surrogate.ATan;
import dev.spikebit.core.neuron.surrogate.Rectangle;
import dev.spikebit.core.neuron.surrogate.Sigmoid;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.core.neuron.surrogate.Triangle;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LIF equations of {@link LifKernel} as one loop per pass. The outer loop walks the neurons a
 * vector at a time; the inner loop walks time, so the state ({@code V} forward, {@code gH[t+1]}
 * backward) stays in a register and each element of every array is touched exactly once. The
 * neurons are split over the cores in chunks that start on a vector boundary; the last
 * {@code N mod lanes} neurons of a chunk go through the same equations as scalars.
 *
 * <p>Three rules keep the vectors in registers; each broke it once, measured with NeuronBench's
 * {@code polluted = true}, which runs every option through the kernels first. (1) A vector must not
 * flow through a join of branches the JIT has seen both taken, or it is boxed on the heap (6x
 * slower): the options (output mode, reset, accumulation) select with loop-invariant masks instead
 * of {@code if}. (2) The surrogate's vector code must sit at a call site that sees one type (else
 * 450x slower): there is one copy of the backward loop per surrogate, chosen by a switch outside
 * the loop. (3) A loop calls nothing but the Vector API, whose methods are always inlined, and the
 * surrogate: a helper that takes vectors was left out of line once the pool's task, compiled with
 * the loop inside it, had used up the JIT's inlining budget (2-6x slower).
 */
final class FusedLifKernel implements LifKernel {
    static final FusedLifKernel INSTANCE = new FusedLifKernel();

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Elements ({@code T x neurons}) a chunk must hold to be worth handing to another core. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 15;

    private FusedLifKernel() {}

    @Override
    public void forward(float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials) {
        LifArguments.checkForward(x, steps, neurons, config, out, potentials);
        forEachChunk(
                steps,
                neurons,
                (from, to) -> forwardColumns(x, neurons, steps, neurons, config, out, potentials, from, to));
    }

    @Override
    public void forwardRepeated(
            float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials) {
        LifArguments.checkRepeated("x", x, neurons);
        LifArguments.checkForward(out, steps, neurons, config, out, potentials); // out stands in for x's [T, N]
        forEachChunk(
                steps, neurons, (from, to) -> forwardColumns(x, 0, steps, neurons, config, out, potentials, from, to));
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
        backwardPass(gradOut, gradPotentials, potentials, steps, neurons, config, gradX, neurons, accumulate);
    }

    @Override
    public void backwardRepeated(
            float[] gradOut, float[] potentials, int steps, int neurons, NeuronConfig config, float[] gradX) {
        java.util.Objects.requireNonNull(gradOut, "gradOut");
        // gradOut stands in for a [T, N] gradX in the shared checks.
        LifArguments.checkBackward(gradOut, null, potentials, steps, neurons, config, gradOut, false);
        LifArguments.checkRepeated("gradX", gradX, neurons);
        backwardPass(gradOut, null, potentials, steps, neurons, config, gradX, 0, true);
    }

    /** Backward with {@code gX[t]} at {@code t * gradXStride}: stride 0 sums the steps into one [N]. */
    private static void backwardPass(
            float[] gradOut,
            float[] gradPotentials,
            float[] potentials,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] gradX,
            int gradXStride,
            boolean accumulate) {
        // A missing gradient reads as zeros: a load with no lane enabled, from a stand-in array of
        // the right length, so the loops have no branch on it.
        var pass = new BackwardPass(
                gradOut != null ? gradOut : potentials,
                gradOut != null,
                gradPotentials != null ? gradPotentials : potentials,
                gradPotentials != null,
                potentials,
                gradX,
                neurons,
                (steps - 1) * neurons,
                gradXStride,
                (steps - 1) * gradXStride,
                config.tau(),
                config.vth(),
                config.output() == OutputMode.REAL,
                config.detachReset(),
                accumulate);
        forEachChunk(steps, neurons, (from, to) -> backwardColumns(pass, config.surrogate(), from, to));
    }

    /**
     * The pass of {@link #backward} for a gradient on the output alone, into {@code gradX} at the
     * same places (added to it when {@code accumulate}), for a caller that runs
     * {@link #backwardColumns} itself.
     */
    static BackwardPass outputGradientPass(
            float[] gradOut,
            float[] potentials,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate) {
        return new BackwardPass(
                gradOut,
                true,
                potentials,
                false,
                potentials,
                gradX,
                neurons,
                (steps - 1) * neurons,
                neurons,
                (steps - 1) * neurons,
                config.tau(),
                config.vth(),
                config.output() == OutputMode.REAL,
                config.detachReset(),
                accumulate);
    }

    /**
     * The pass of {@link #backwardRepeated}: the input gradients of all steps added into one
     * {@code gradX [neurons]}, last step first, for a caller that runs {@link #backwardColumns} itself.
     */
    static BackwardPass summedOutputGradientPass(
            float[] gradOut, float[] potentials, int steps, int neurons, NeuronConfig config, float[] gradX) {
        return new BackwardPass(
                gradOut,
                true,
                potentials,
                false,
                potentials,
                gradX,
                neurons,
                (steps - 1) * neurons,
                0,
                0,
                config.tau(),
                config.vth(),
                config.output() == OutputMode.REAL,
                config.detachReset(),
                true);
    }

    /** Splits the neurons {@code [0, N)} over the cores in chunks that start on a vector boundary. */
    private static void forEachChunk(int steps, int neurons, Parallel.RangeBody columns) {
        if (steps == 0 || neurons == 0) {
            return;
        }
        int blocks = (neurons + LANES - 1) / LANES;
        int minBlocks = (int) Math.max(1, MIN_ELEMENTS_PER_CHUNK / ((long) steps * LANES));
        Parallel.range(blocks, minBlocks, (first, last) -> columns.run(first * LANES, Math.min(last * LANES, neurons)));
    }

    // ------------------------------------------------------------------ forward

    /**
     * Forward over the neurons {@code [from, to)} for all steps; returns how many of them fired over
     * the steps (one mask count per vector, for the pooled pass's firing count).
     */
    static long forwardColumns(
            float[] x,
            int xStride,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] out,
            float[] potentials,
            int from,
            int to) {
        float tau = config.tau();
        float vth = config.vth();
        boolean real = config.output() == OutputMode.REAL;
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        VectorMask<Float> realOutput = SPECIES.maskAll(real);
        long firings = 0;
        int i = from;
        for (int upper = from + SPECIES.loopBound(to - from); i < upper; i += LANES) {
            var v = zero;
            for (int t = 0, at = i, xAt = i; t < steps; t++, at += neurons, xAt += xStride) {
                var h = v.mul(tau).add(FloatVector.fromArray(SPECIES, x, xAt));
                var fired = h.compare(VectorOperators.GE, vth);
                firings += fired.trueCount();
                zero.blend(one.blend(h, realOutput), fired).intoArray(out, at); // O = S or H * S
                if (potentials != null) {
                    h.intoArray(potentials, at);
                }
                v = h.blend(zero, fired); // V = H (1 - S)
            }
        }
        for (; i < to; i++) {
            float v = 0f;
            for (int t = 0, at = i, xAt = i; t < steps; t++, at += neurons, xAt += xStride) {
                float h = tau * v + x[xAt];
                boolean fired = h >= vth;
                firings += fired ? 1 : 0;
                out[at] = fired ? (real ? h : 1f) : 0f;
                if (potentials != null) {
                    potentials[at] = h;
                }
                v = fired ? 0f : h;
            }
        }
        return firings;
    }

    // ------------------------------------------------------------------ backward

    /** Backward over the neurons {@code [from, to)} for all steps, last step first. */
    static void backwardColumns(BackwardPass pass, Surrogate surrogate, int from, int to) {
        int vectorEnd = from + SPECIES.loopBound(to - from);
        switch (surrogate) {
            case ATan s -> backwardVectors(s, pass, from, vectorEnd);
            case Sigmoid s -> backwardVectors(s, pass, from, vectorEnd);
            case Triangle s -> backwardVectors(s, pass, from, vectorEnd);
            case Rectangle s -> backwardVectors(s, pass, from, vectorEnd);
        }
        backwardScalars(surrogate, pass, vectorEnd, to);
    }

    /**
     * The arrays and constants of one backward pass. {@code gradOut} and {@code gradPotentials}
     * are never null: where the caller gave none they are a stand-in, and the flag beside them is
     * false. {@code last} is where the last step begins.
     */
    record BackwardPass(
            float[] gradOut,
            boolean hasGradOut,
            float[] gradPotentials,
            boolean hasGradPotentials,
            float[] potentials,
            float[] gradX,
            int neurons,
            int last,
            int gradXStride,
            int gradXLast,
            float tau,
            float vth,
            boolean real,
            boolean detachReset,
            boolean accumulate) {}

    // The vector loop of backward, once per surrogate type and identical but for that type, so that
    // the surrogate's derivative is inlined (rules 2 and 3 of the class comment). Each copy is its
    // own method, taking no vectors: where the JIT declines to inline it into a large caller, it
    // runs as its own compiled unit, which costs one call per chunk and boxes nothing.

    private static void backwardVectors(ATan surrogate, BackwardPass pass, int from, int to) {
        float[] gradOut = pass.gradOut();
        float[] gradPotentials = pass.gradPotentials();
        float[] potentials = pass.potentials();
        float[] gradX = pass.gradX();
        int neurons = pass.neurons();
        int gradXStride = pass.gradXStride();
        float tau = pass.tau();
        float vth = pass.vth();
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var realOutput = SPECIES.maskAll(pass.real());
        var attachedReset = SPECIES.maskAll(!pass.detachReset());
        var accumulating = SPECIES.maskAll(pass.accumulate());
        var fromOut = SPECIES.maskAll(pass.hasGradOut());
        var fromPotentials = SPECIES.maskAll(pass.hasGradPotentials());
        for (int i = from; i < to; i += LANES) {
            var gradHNext = zero;
            for (int at = pass.last() + i, gx = pass.gradXLast() + i; at >= 0; at -= neurons, gx -= gradXStride) {
                var h = FloatVector.fromArray(SPECIES, potentials, at);
                var sg = surrogate.derivative(h.sub(vth));
                var spike = zero.blend(one, h.compare(VectorOperators.GE, vth));
                var hsg = h.mul(sg);
                var dOdH = sg.blend(spike.add(hsg), realOutput); // s'  or  S + H s'
                var dVdH = one.sub(spike).blend(one.sub(spike).sub(hsg), attachedReset); // 1 - S  [- H s']
                var gradH = FloatVector.fromArray(SPECIES, gradOut, at, fromOut)
                        .mul(dOdH)
                        .add(FloatVector.fromArray(SPECIES, gradPotentials, at, fromPotentials))
                        .add(gradHNext.mul(tau).mul(dVdH));
                gradH.add(FloatVector.fromArray(SPECIES, gradX, gx, accumulating))
                        .intoArray(gradX, gx);
                gradHNext = gradH;
            }
        }
    }

    private static void backwardVectors(Sigmoid surrogate, BackwardPass pass, int from, int to) {
        float[] gradOut = pass.gradOut();
        float[] gradPotentials = pass.gradPotentials();
        float[] potentials = pass.potentials();
        float[] gradX = pass.gradX();
        int neurons = pass.neurons();
        int gradXStride = pass.gradXStride();
        float tau = pass.tau();
        float vth = pass.vth();
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var realOutput = SPECIES.maskAll(pass.real());
        var attachedReset = SPECIES.maskAll(!pass.detachReset());
        var accumulating = SPECIES.maskAll(pass.accumulate());
        var fromOut = SPECIES.maskAll(pass.hasGradOut());
        var fromPotentials = SPECIES.maskAll(pass.hasGradPotentials());
        for (int i = from; i < to; i += LANES) {
            var gradHNext = zero;
            for (int at = pass.last() + i, gx = pass.gradXLast() + i; at >= 0; at -= neurons, gx -= gradXStride) {
                var h = FloatVector.fromArray(SPECIES, potentials, at);
                var sg = surrogate.derivative(h.sub(vth));
                var spike = zero.blend(one, h.compare(VectorOperators.GE, vth));
                var hsg = h.mul(sg);
                var dOdH = sg.blend(spike.add(hsg), realOutput); // s'  or  S + H s'
                var dVdH = one.sub(spike).blend(one.sub(spike).sub(hsg), attachedReset); // 1 - S  [- H s']
                var gradH = FloatVector.fromArray(SPECIES, gradOut, at, fromOut)
                        .mul(dOdH)
                        .add(FloatVector.fromArray(SPECIES, gradPotentials, at, fromPotentials))
                        .add(gradHNext.mul(tau).mul(dVdH));
                gradH.add(FloatVector.fromArray(SPECIES, gradX, gx, accumulating))
                        .intoArray(gradX, gx);
                gradHNext = gradH;
            }
        }
    }

    private static void backwardVectors(Triangle surrogate, BackwardPass pass, int from, int to) {
        float[] gradOut = pass.gradOut();
        float[] gradPotentials = pass.gradPotentials();
        float[] potentials = pass.potentials();
        float[] gradX = pass.gradX();
        int neurons = pass.neurons();
        int gradXStride = pass.gradXStride();
        float tau = pass.tau();
        float vth = pass.vth();
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var realOutput = SPECIES.maskAll(pass.real());
        var attachedReset = SPECIES.maskAll(!pass.detachReset());
        var accumulating = SPECIES.maskAll(pass.accumulate());
        var fromOut = SPECIES.maskAll(pass.hasGradOut());
        var fromPotentials = SPECIES.maskAll(pass.hasGradPotentials());
        for (int i = from; i < to; i += LANES) {
            var gradHNext = zero;
            for (int at = pass.last() + i, gx = pass.gradXLast() + i; at >= 0; at -= neurons, gx -= gradXStride) {
                var h = FloatVector.fromArray(SPECIES, potentials, at);
                var sg = surrogate.derivative(h.sub(vth));
                var spike = zero.blend(one, h.compare(VectorOperators.GE, vth));
                var hsg = h.mul(sg);
                var dOdH = sg.blend(spike.add(hsg), realOutput); // s'  or  S + H s'
                var dVdH = one.sub(spike).blend(one.sub(spike).sub(hsg), attachedReset); // 1 - S  [- H s']
                var gradH = FloatVector.fromArray(SPECIES, gradOut, at, fromOut)
                        .mul(dOdH)
                        .add(FloatVector.fromArray(SPECIES, gradPotentials, at, fromPotentials))
                        .add(gradHNext.mul(tau).mul(dVdH));
                gradH.add(FloatVector.fromArray(SPECIES, gradX, gx, accumulating))
                        .intoArray(gradX, gx);
                gradHNext = gradH;
            }
        }
    }

    private static void backwardVectors(Rectangle surrogate, BackwardPass pass, int from, int to) {
        float[] gradOut = pass.gradOut();
        float[] gradPotentials = pass.gradPotentials();
        float[] potentials = pass.potentials();
        float[] gradX = pass.gradX();
        int neurons = pass.neurons();
        int gradXStride = pass.gradXStride();
        float tau = pass.tau();
        float vth = pass.vth();
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        var realOutput = SPECIES.maskAll(pass.real());
        var attachedReset = SPECIES.maskAll(!pass.detachReset());
        var accumulating = SPECIES.maskAll(pass.accumulate());
        var fromOut = SPECIES.maskAll(pass.hasGradOut());
        var fromPotentials = SPECIES.maskAll(pass.hasGradPotentials());
        for (int i = from; i < to; i += LANES) {
            var gradHNext = zero;
            for (int at = pass.last() + i, gx = pass.gradXLast() + i; at >= 0; at -= neurons, gx -= gradXStride) {
                var h = FloatVector.fromArray(SPECIES, potentials, at);
                var sg = surrogate.derivative(h.sub(vth));
                var spike = zero.blend(one, h.compare(VectorOperators.GE, vth));
                var hsg = h.mul(sg);
                var dOdH = sg.blend(spike.add(hsg), realOutput); // s'  or  S + H s'
                var dVdH = one.sub(spike).blend(one.sub(spike).sub(hsg), attachedReset); // 1 - S  [- H s']
                var gradH = FloatVector.fromArray(SPECIES, gradOut, at, fromOut)
                        .mul(dOdH)
                        .add(FloatVector.fromArray(SPECIES, gradPotentials, at, fromPotentials))
                        .add(gradHNext.mul(tau).mul(dVdH));
                gradH.add(FloatVector.fromArray(SPECIES, gradX, gx, accumulating))
                        .intoArray(gradX, gx);
                gradHNext = gradH;
            }
        }
    }

    /** The scalar tail of backward: the same equations for one neuron at a time. */
    private static void backwardScalars(Surrogate surrogate, BackwardPass pass, int from, int to) {
        float tau = pass.tau();
        float vth = pass.vth();
        for (int i = from; i < to; i++) {
            float gradHNext = 0f;
            for (int at = pass.last() + i, gx = pass.gradXLast() + i;
                    at >= 0;
                    at -= pass.neurons(), gx -= pass.gradXStride()) {
                float h = pass.potentials()[at];
                float sg = surrogate.derivative(h - vth);
                float spike = h >= vth ? 1f : 0f;
                float dOdH = pass.real() ? spike + h * sg : sg;
                float dVdH = pass.detachReset() ? 1f - spike : (1f - spike) - h * sg;
                float fromOut = pass.hasGradOut() ? pass.gradOut()[at] * dOdH : 0f;
                float fromPotential = pass.hasGradPotentials() ? pass.gradPotentials()[at] : 0f;
                float gradH = fromOut + fromPotential + tau * gradHNext * dVdH;
                pass.gradX()[gx] = pass.accumulate() ? pass.gradX()[gx] + gradH : gradH;
                gradHNext = gradH;
            }
        }
    }
}
