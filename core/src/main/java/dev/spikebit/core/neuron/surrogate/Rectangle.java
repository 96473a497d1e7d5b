package dev.spikebit.core.neuron.surrogate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The rectangle surrogate (docs/methods.md section 1; the straight-through window of STBP):
 * {@code s'(x) = 1/width} where {@code |x| < width/2}, else 0, a box of area 1. The default width 1
 * gives the window {@code |x| < 0.5} of docs/methods.md.
 *
 * @param width the width of the window, finite and {@code > 0}
 */
public record Rectangle(float width) implements Surrogate {

    public Rectangle {
        SurrogateParameters.positive("rectangle", "width", width);
    }

    /** {@code width = 1}: the window {@code |x| < 0.5}. */
    public Rectangle() {
        this(1f);
    }

    @Override
    public float derivative(float x) {
        return Math.abs(x) < width / 2f ? 1f / width : 0f;
    }

    @Override
    public FloatVector derivative(FloatVector x) {
        var inside = x.abs().compare(VectorOperators.LT, width / 2f);
        return x.broadcast(0f).blend(1f / width, inside);
    }

    @Override
    public String spec() {
        return SurrogateParameters.spec("rectangle", width);
    }
}
