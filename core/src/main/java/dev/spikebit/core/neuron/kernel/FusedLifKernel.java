package dev.spikebit.core.neuron.kernel;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.neuron.surrogate.Surrogate;
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
 */
final class FusedLifKernel implements LifKernel {
    static final FusedLifKernel INSTANCE = new FusedLifKernel();

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Elements ({@code T x neurons}) a chunk must hold to be worth handing to another core. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 15;

    private FusedLifKernel() {
    }

    @Override
    public void forward(float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials) {
        LifArguments.checkForward(x, steps, neurons, config, out, potentials);
        forEachChunk(steps, neurons, (from, to) -> forwardColumns(x, steps, neurons, config, out, potentials, from, to));
    }

    @Override
    public void backward(float[] gradOut, float[] potentials, int steps, int neurons, NeuronConfig config,
            float[] gradX, boolean accumulate) {
        LifArguments.checkBackward(gradOut, potentials, steps, neurons, config, gradX, accumulate);
        forEachChunk(steps, neurons,
                (from, to) -> backwardColumns(gradOut, potentials, steps, neurons, config, gradX, accumulate, from, to));
    }

    /** Splits the neurons {@code [0, N)} over the cores in chunks that start on a vector boundary. */
    private static void forEachChunk(int steps, int neurons, Parallel.RangeBody columns) {
        if (steps == 0 || neurons == 0) {
            return;
        }
        int blocks = (neurons + LANES - 1) / LANES;
        int minBlocks = Math.max(1, MIN_ELEMENTS_PER_CHUNK / (steps * LANES));
        Parallel.range(blocks, minBlocks, (first, last) ->
                columns.run(first * LANES, Math.min(last * LANES, neurons)));
    }

    /** Forward over the neurons {@code [from, to)} for all steps. */
    private static void forwardColumns(float[] x, int steps, int neurons, NeuronConfig config, float[] out,
            float[] potentials, int from, int to) {
        float tau = config.tau();
        float vth = config.vth();
        boolean real = config.output() == OutputMode.REAL;
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        int i = from;
        for (int upper = from + SPECIES.loopBound(to - from); i < upper; i += LANES) {
            var v = zero;
            for (int t = 0, at = i; t < steps; t++, at += neurons) {
                var h = v.mul(tau).add(FloatVector.fromArray(SPECIES, x, at));
                VectorMask<Float> fired = h.compare(VectorOperators.GE, vth);
                (real ? zero.blend(h, fired) : zero.blend(one, fired)).intoArray(out, at);
                if (potentials != null) {
                    h.intoArray(potentials, at);
                }
                v = h.blend(zero, fired);
            }
        }
        for (; i < to; i++) {
            float v = 0f;
            for (int t = 0, at = i; t < steps; t++, at += neurons) {
                float h = tau * v + x[at];
                boolean fired = h >= vth;
                out[at] = fired ? (real ? h : 1f) : 0f;
                if (potentials != null) {
                    potentials[at] = h;
                }
                v = fired ? 0f : h;
            }
        }
    }

    /** Backward over the neurons {@code [from, to)} for all steps, last step first. */
    private static void backwardColumns(float[] gradOut, float[] potentials, int steps, int neurons,
            NeuronConfig config, float[] gradX, boolean accumulate, int from, int to) {
        float tau = config.tau();
        float vth = config.vth();
        boolean real = config.output() == OutputMode.REAL;
        boolean detachReset = config.detachReset();
        Surrogate surrogate = config.surrogate();
        var zero = FloatVector.zero(SPECIES);
        var one = FloatVector.broadcast(SPECIES, 1f);
        int last = (steps - 1) * neurons;
        int i = from;
        for (int upper = from + SPECIES.loopBound(to - from); i < upper; i += LANES) {
            var gradHNext = zero;
            for (int at = last + i; at >= 0; at -= neurons) {
                var h = FloatVector.fromArray(SPECIES, potentials, at);
                var spike = zero.blend(one, h.compare(VectorOperators.GE, vth));
                var sg = surrogate.derivative(h.sub(vth));
                var dOdH = real ? spike.add(h.mul(sg)) : sg;
                var dVdH = one.sub(spike);
                if (!detachReset) {
                    dVdH = dVdH.sub(h.mul(sg));
                }
                var gradH = FloatVector.fromArray(SPECIES, gradOut, at).mul(dOdH).add(gradHNext.mul(tau).mul(dVdH));
                (accumulate ? gradH.add(FloatVector.fromArray(SPECIES, gradX, at)) : gradH).intoArray(gradX, at);
                gradHNext = gradH;
            }
        }
        for (; i < to; i++) {
            float gradHNext = 0f;
            for (int at = last + i; at >= 0; at -= neurons) {
                float h = potentials[at];
                float spike = h >= vth ? 1f : 0f;
                float sg = surrogate.derivative(h - vth);
                float dOdH = real ? spike + h * sg : sg;
                float dVdH = detachReset ? 1f - spike : (1f - spike) - h * sg;
                float gradH = gradOut[at] * dOdH + tau * gradHNext * dVdH;
                gradX[at] = accumulate ? gradX[at] + gradH : gradH;
                gradHNext = gradH;
            }
        }
    }
}
