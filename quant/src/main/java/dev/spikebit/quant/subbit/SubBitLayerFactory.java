package dev.spikebit.quant.subbit;

import dev.spikebit.core.models.LayerFactory;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.quant.binary.Amplitude;
import dev.spikebit.quant.binary.BinaryLayerFactory;
import java.util.SplittableRandom;

/**
 * Builds a zoo model with sub-bit weights (docs/methods.md 3): the layers a binary network would have,
 * except that every eligible layer, a hidden 3x3 conv (never the first conv, even with binary
 * edges), is a {@link SubBitConv2d}. Other binary layers (1x1 or 5x5 convs, hidden linear layers)
 * stay binary with a trained amplitude; the edges follow {@code spec.binaryEdges()}.
 */
public final class SubBitLayerFactory implements LayerFactory {
    private final BinaryLayerFactory binary;
    private final int eta;
    private final boolean osQuant;
    private final int refreshEvery;

    public SubBitLayerFactory(int eta, boolean osQuant, int refreshEvery, boolean binaryEdges) {
        Codebook.checkEta(eta);
        this.binary = new BinaryLayerFactory(Amplitude.TRAINED, binaryEdges);
        this.eta = eta;
        this.osQuant = osQuant;
        this.refreshEvery = refreshEvery;
    }

    /** The factory a sub-bit spec asks for. */
    public static SubBitLayerFactory of(ModelSpec spec) {
        return new SubBitLayerFactory(spec.eta(), spec.osQuant(), spec.codebookRefresh(), spec.binaryEdges());
    }

    /** Whether a conv at this position and with this kernel size gets sub-bit weights. */
    public static boolean isEligible(Position position, int kernel) {
        return position == Position.HIDDEN && kernel == 3;
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
        return isEligible(position, kernel)
                ? new SubBitConv2d(in, out, stride, padding, bias, rng, eta, osQuant, refreshEvery)
                : binary.conv(position, in, out, kernel, stride, padding, bias, rng);
    }

    @Override
    public Linear linear(Position position, int in, int out, boolean bias, SplittableRandom rng) {
        return binary.linear(position, in, out, bias, rng);
    }
}
