package dev.spikebit.core.neuron.surrogate;

import jdk.incubator.vector.FloatVector;

/**
 * The sigmoid surrogate (docs/methods.md section 1, SpikingJelly's {@code Sigmoid}): the derivative of
 * {@code sg(x) = 1 / (1 + exp(-alpha x))}, that is {@code s'(x) = alpha * sg(x) * (1 - sg(x))}. Its
 * peak at {@code x = 0} is {@code alpha / 4}.
 *
 * @param alpha the sharpness, finite and {@code > 0}
 */
public record Sigmoid(float alpha) implements Surrogate {

    public Sigmoid {
        SurrogateParameters.positive("sigmoid", "alpha", alpha);
    }

    /** {@code alpha = 4}, SpikingJelly's default. */
    public Sigmoid() {
        this(4f);
    }

    @Override
    public float derivative(float x) {
        float sg = 1f / (1f + (float) Math.exp(-alpha * x));
        return alpha * sg * (1f - sg);
    }

    /**
     * The exponential is taken lane by lane with {@link Math#exp}, not {@code lanewise(EXP)}: the
     * Vector API's compiled EXP (a vector math library) and its interpreted fallback may differ in
     * the last bit, so a run's gradients would depend on when the JIT compiled the kernel. HotSpot
     * gives {@code Math.exp} one implementation in the interpreter and the compilers, and this way
     * the vector and the scalar form agree exactly.
     */
    @Override
    public FloatVector derivative(FloatVector x) {
        float[] e = x.mul(-alpha).toArray();
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) Math.exp(e[i]);
        }
        var sg = x.broadcast(1f).div(FloatVector.fromArray(x.species(), e, 0).add(1f));
        return sg.mul(alpha).mul(sg.neg().add(1f));
    }

    @Override
    public String spec() {
        return SurrogateParameters.spec("sigmoid", alpha);
    }
}
