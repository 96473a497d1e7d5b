package dev.spikebit.quant.binary;

import dev.spikebit.core.models.LayerFactory;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import java.util.SplittableRandom;

/**
 * Builds the weight layers of a zoo model with binary weights (docs/methods.md 2): every hidden conv
 * and linear layer is binary; the first conv and the last linear layer stay full precision, as in
 * the binary-SNN literature, unless {@code binaryEdges} makes them binary too.
 */
public final class BinaryLayerFactory implements LayerFactory {
    private final Amplitude amplitude;
    private final boolean binaryEdges;

    public BinaryLayerFactory(Amplitude amplitude, boolean binaryEdges) {
        this.amplitude = amplitude;
        this.binaryEdges = binaryEdges;
    }

    /** Whether a layer at this position gets binary weights. */
    public boolean isBinary(Position position) {
        return position == Position.HIDDEN || binaryEdges;
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
        return isBinary(position)
                ? new BinaryConv2d(in, out, kernel, stride, padding, bias, rng, amplitude)
                : new Conv2d(in, out, kernel, stride, padding, bias, rng);
    }

    @Override
    public Linear linear(Position position, int in, int out, boolean bias, SplittableRandom rng) {
        return isBinary(position) ? new BinaryLinear(in, out, bias, rng, amplitude) : new Linear(in, out, bias, rng);
    }
}
