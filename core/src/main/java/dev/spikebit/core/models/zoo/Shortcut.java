package dev.spikebit.core.models.zoo;

import dev.spikebit.core.models.FlopCounter;
import dev.spikebit.core.models.LayerFactory;
import dev.spikebit.core.models.LayerFactory.Position;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The shortcut path of a residual block: the identity, or, when the stride or the channel count
 * changes, a 1x1 conv with the block's stride followed by BN (He et al.'s option B). Both the tdBN
 * block and the membrane-shortcut block use it.
 */
final class Shortcut extends Module {
    private final Conv2d conv;
    private final BatchNorm bn;

    Shortcut(int inChannels, int outChannels, int stride, LayerFactory layers, SplittableRandom rng) {
        if (stride != 1 || inChannels != outChannels) {
            this.conv = registerModule(
                    "conv", layers.conv(Position.HIDDEN, inChannels, outChannels, 1, stride, 0, false, rng));
            this.bn = registerModule("bn", BatchNorm.of2d(outChannels));
        } else {
            this.conv = null;
            this.bn = null;
        }
    }

    /** Whether the shortcut is a 1x1 projection rather than the identity. */
    boolean projects() {
        return conv != null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return conv == null ? x : bn.forward(conv.forward(x));
    }

    /** Counts the projection's operations, if any, under {@code name}. */
    void trace(FlopCounter counter, String name, int[] input) {
        if (conv != null) {
            counter.layer(name + ".bn", bn, counter.layer(name + ".conv", conv, input));
        }
    }

    @Override
    public String describe() {
        return projects() ? "Shortcut(1x1 conv + BN)" : "Shortcut(identity)";
    }
}
