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
 * The spiking residual block of tdBN (Zheng et al., AAAI 2021, figure 5b), the block of the
 * ResNet-19 and ResNet-20 entries: spikes in, spikes out.
 *
 * <pre>
 *   x (spikes) ── conv3x3(stride) ─ BN ─ LIF ─ conv3x3 ─ BN ──(+)── LIF ── out (spikes)
 *              └──────────── shortcut: identity, or conv1x1(stride) ─ BN ──┘
 * </pre>
 *
 * The two branches are summed as pre-activations and the sum drives the block's output neuron, so
 * the shortcut carries spikes. The projection shortcut (He et al.'s option B) is used when the
 * stride or the channel count changes. BN over {@code [T*B, C, H, W]} is tdBN's normalisation over
 * time and batch; with {@code Vth = 1} its initial scale {@code alpha * Vth} is BN's default 1.
 * Multi-step input {@code [T, B, C, H, W]} (docs/methods.md 1).
 */
public final class BasicBlock extends Module implements FlopCounter.Traced {
    private final int inChannels;
    private final int outChannels;
    private final int stride;
    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Module spike1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Shortcut shortcut;
    private final Module spike2;

    public BasicBlock(
            int inChannels, int outChannels, int stride, ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
        this.conv1 = registerModule(
                "conv1", layers.conv(Position.HIDDEN, inChannels, outChannels, 3, stride, 1, false, rng));
        this.bn1 = registerModule("bn1", BatchNorm.of2d(outChannels));
        this.spike1 = registerModule("spike1", layers.neuron(spec));
        this.conv2 =
                registerModule("conv2", layers.conv(Position.HIDDEN, outChannels, outChannels, 3, 1, 1, false, rng));
        this.bn2 = registerModule("bn2", BatchNorm.of2d(outChannels));
        this.shortcut = registerModule("shortcut", new Shortcut(inChannels, outChannels, stride, layers, rng));
        this.spike2 = registerModule("spike2", layers.neuron(spec));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor branch = bn2.forward(conv2.forward(spike1.forward(bn1.forward(conv1.forward(x)))));
        return spike2.forward(Elementwise.add(branch, shortcut.forward(x)));
    }

    /** Whether the shortcut is a 1x1 projection rather than the identity. */
    public boolean projects() {
        return shortcut.projects();
    }

    @Override
    public int[] trace(FlopCounter counter, String name, int[] input) {
        int[] h = counter.layer(name + ".conv1", conv1, input);
        h = counter.layer(name + ".bn1", bn1, h);
        h = counter.layer(name + ".spike1", spike1, h);
        h = counter.layer(name + ".conv2", conv2, h);
        h = counter.layer(name + ".bn2", bn2, h);
        shortcut.trace(counter, name + ".shortcut", input);
        h = counter.add(name + ".add", h);
        return counter.layer(name + ".spike2", spike2, h);
    }

    @Override
    public String describe() {
        return String.format(
                "BasicBlock(%d->%d, s%d, %s shortcut)",
                inChannels, outChannels, stride, projects() ? "1x1 conv" : "identity");
    }
}
