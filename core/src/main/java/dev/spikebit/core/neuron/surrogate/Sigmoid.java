package dev.spikebit.core.neuron.surrogate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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

    @Override
    public FloatVector derivative(FloatVector x) {
        var sg = x.broadcast(1f).div(x.mul(-alpha).lanewise(VectorOperators.EXP).add(1f));
        return sg.mul(alpha).mul(sg.neg().add(1f));
    }

    @Override
    public String spec() {
        return "sigmoid:" + alpha;
    }
}
