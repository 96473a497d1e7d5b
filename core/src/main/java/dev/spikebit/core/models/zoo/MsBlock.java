package dev.spikebit.core.models.zoo;

import dev.spikebit.core.models.FlopCounter;
import dev.spikebit.core.models.LayerFactory;
import dev.spikebit.core.models.LayerFactory.Position;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The membrane-shortcut block of MS-ResNet (Hu et al., "Advancing Spiking Neural Networks towards
 * Deep Residual Learning", IEEE TNNLS 2024): the shortcut adds membrane inputs (pre-activations),
 * never spikes, and each neuron sits before its conv inside the branch.
 *
 * <pre>
 *   x (membrane input) ── LIF ─ conv3x3(stride) ─ BN ─ LIF ─ conv3x3 ─ BN ──(+)── out (membrane input)
 *                      └──────── shortcut: identity, or conv1x1(stride) ─ BN ──┘
 * </pre>
 *
 * Blocks chain real-valued pre-activations; the network puts one neuron after the last block.
 * As in the authors' code, the projection shortcut convolves the real-valued input itself, and the
 * branch's last BN starts with scale 0, so every block begins as the identity.
 * Multi-step input {@code [T, B, C, H, W]} (docs/methods.md 1).
 */
public final class MsBlock extends Module implements FlopCounter.Traced {
    private final int inChannels;
    private final int outChannels;
    private final int stride;
    private final Module spike1;
    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Module spike2;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Shortcut shortcut;

    public MsBlock(
            int inChannels, int outChannels, int stride, ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
        this.spike1 = registerModule("spike1", layers.neuron(spec));
        this.conv1 = registerModule(
                "conv1", layers.conv(Position.HIDDEN, inChannels, outChannels, 3, stride, 1, false, rng));
        this.bn1 = registerModule("bn1", BatchNorm.of2d(outChannels));
        this.spike2 = registerModule("spike2", layers.neuron(spec));
        this.conv2 =
                registerModule("conv2", layers.conv(Position.HIDDEN, outChannels, outChannels, 3, 1, 1, false, rng));
        this.bn2 = registerModule("bn2", BatchNorm.of2d(outChannels));
        java.util.Arrays.fill(bn2.gamma().data(), 0f);
        this.shortcut = registerModule("shortcut", new Shortcut(inChannels, outChannels, stride, layers, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor branch = bn2.forward(conv2.forward(spike2.forward(bn1.forward(conv1.forward(spike1.forward(x))))));
        return Elementwise.add(branch, shortcut.forward(x));
    }

    /** Whether the shortcut is a 1x1 projection rather than the identity. */
    public boolean projects() {
        return shortcut.projects();
    }

    @Override
    public int[] trace(FlopCounter counter, String name, int[] input) {
        int[] h = counter.layer(name + ".spike1", spike1, input);
        h = counter.layer(name + ".conv1", conv1, h);
        h = counter.layer(name + ".bn1", bn1, h);
        h = counter.layer(name + ".spike2", spike2, h);
        h = counter.layer(name + ".conv2", conv2, h);
        h = counter.layer(name + ".bn2", bn2, h);
        shortcut.trace(counter, name + ".shortcut", input);
        return counter.add(name + ".add", h);
    }

    @Override
    public String describe() {
        return String.format(
                "MsBlock(%d->%d, s%d, %s shortcut)",
                inChannels, outChannels, stride, projects() ? "1x1 conv" : "identity");
    }
}
