package dev.spikebit.core.neuron.surrogate;

import jdk.incubator.vector.FloatVector;

/**
 * The arctangent surrogate, the default of docs/methods.md section 1 (SpikingJelly's {@code ATan}):
 * {@code s'(x) = (alpha/2) / (1 + (pi/2 * alpha * x)^2)}, the derivative of
 * {@code atan(pi/2 * alpha * x) / pi + 1/2}. Its peak at {@code x = 0} is {@code alpha / 2}.
 *
 * @param alpha the sharpness, finite and {@code > 0}
 */
public record ATan(float alpha) implements Surrogate {
    private static final float HALF_PI = (float) (Math.PI / 2);

    public ATan {
        SurrogateParameters.positive("atan", "alpha", alpha);
    }

    /** {@code alpha = 2}, the default of docs/methods.md section 1. */
    public ATan() {
        this(2f);
    }

    @Override
    public float derivative(float x) {
        float scaled = HALF_PI * alpha * x;
        return (alpha / 2f) / (1f + scaled * scaled);
    }

    @Override
    public FloatVector derivative(FloatVector x) {
        var scaled = x.mul(HALF_PI * alpha);
        return x.broadcast(alpha / 2f).div(scaled.mul(scaled).add(1f));
    }

    @Override
    public String spec() {
        return SurrogateParameters.spec("atan", alpha);
    }
}
