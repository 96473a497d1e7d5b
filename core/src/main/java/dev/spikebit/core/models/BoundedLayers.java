package dev.spikebit.core.models;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import java.util.SplittableRandom;

/**
 * A layer factory that refuses to allocate more weights than a budget, counted before each layer
 * is made. A model description read from a file (a checkpoint's) can ask for any input size and
 * class count its ranges allow; the weights it implies must still fit what the file holds, or
 * building it would allocate gigabytes only to find that the tensors do not match.
 */
public final class BoundedLayers implements LayerFactory {
    private final LayerFactory inner;
    private final long budget;
    private final String source;
    private long used;

    /**
     * @param inner  the factory that makes the layers
     * @param budget the most weights all layers together may hold
     * @param source what the description came from, for the message
     */
    public BoundedLayers(LayerFactory inner, long budget, String source) {
        this.inner = inner;
        this.budget = budget;
        this.source = source;
    }

    @Override
    public Conv2d conv(
            Position position,
            int in,
            int out,
            int kernel,
            int stride,
            int padding,
            boolean bias,
            SplittableRandom rng) {
        charge((long) in * out * kernel * kernel + (bias ? out : 0));
        return inner.conv(position, in, out, kernel, stride, padding, bias, rng);
    }

    @Override
    public Linear linear(Position position, int in, int out, boolean bias, SplittableRandom rng) {
        charge((long) in * out + (bias ? out : 0));
        return inner.linear(position, in, out, bias, rng);
    }

    @Override
    public Module neuron(ModelSpec spec) {
        return inner.neuron(spec);
    }

    private void charge(long weights) {
        used += weights;
        if (used > budget) {
            throw new SpikebitException(source + ": the model description needs more than " + budget
                    + " weights, far more than the file holds (input size or classes out of line with the tensors)");
        }
    }
}
