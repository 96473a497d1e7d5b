package dev.spikebit.core.neuron.surrogate;

import jdk.incubator.vector.FloatVector;

/**
 * The triangle surrogate (docs/methods.md section 1, SpikingJelly's {@code PiecewiseQuadratic}):
 * {@code s'(x) = max(0, gamma - |x|) / gamma^2}, a tent of height {@code 1/gamma} and area 1 over
 * {@code |x| < gamma}.
 *
 * @param gamma the half-width of the tent, finite and {@code > 0}
 */
public record Triangle(float gamma) implements Surrogate {

    public Triangle {
        SurrogateParameters.positive("triangle", "gamma", gamma);
    }

    /** {@code gamma = 1}. */
    public Triangle() {
        this(1f);
    }

    @Override
    public float derivative(float x) {
        return (1f / (gamma * gamma)) * Math.max(0f, gamma - Math.abs(x));
    }

    @Override
    public FloatVector derivative(FloatVector x) {
        return x.broadcast(gamma).sub(x.abs()).max(0f).mul(1f / (gamma * gamma));
    }

    @Override
    public String spec() {
        return SurrogateParameters.spec("triangle", gamma);
    }
}
