package dev.spikebit.core.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.zoo.BasicBlock;
import dev.spikebit.core.models.zoo.MsBlock;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What the two residual blocks add: spikes of a sum for tdBN's block, membrane inputs for MS-ResNet's. */
class ResidualBlocksTest {
    private final ModelSpec spec = ModelSpec.defaults("blocks", 3, 4, 5, 10);

    private static Tensor random(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (rng.nextDouble() * 3 - 1);
        }
        return t;
    }

    /** A fresh MS block is the identity: its branch ends in a BN with scale 0, as in the authors' code. */
    @Test
    void freshMembraneShortcutBlockPassesItsInputThrough() {
        MsBlock block = new MsBlock(4, 4, 1, spec, LayerFactory.FULL_PRECISION, new SplittableRandom(1));
        Tensor x = random(3, 3, 2, 4, 5, 5);
        assertThat(block.forward(x).data()).containsExactly(x.data());
        assertThat(block.projects()).isFalse();
    }

    /** With its branch silenced, the tdBN block fires on its shortcut alone: LIF(x). */
    @Test
    void basicBlockWithSilentBranchIsTheNeuronOfItsInput() {
        BasicBlock block = new BasicBlock(4, 4, 1, spec, LayerFactory.FULL_PRECISION, new SplittableRandom(1));
        block.visit(m -> {
            if (m instanceof Conv2d c) {
                Arrays.fill(c.weight().data(), 0f);
            }
        });
        Tensor x = random(4, 3, 2, 4, 5, 5);
        Tensor expected = new LIFNode(spec.neuronConfig()).forward(x);
        assertThat(block.forward(x).data()).containsExactly(expected.data());
    }

    /** Projection shortcuts downsample like the branch, and gradients reach the input through both. */
    @Test
    void projectionShortcutsMatchTheBranchShape() {
        Tensor x = random(5, 3, 2, 4, 5, 5).requiresGrad(true);
        BasicBlock basic = new BasicBlock(4, 8, 2, spec, LayerFactory.FULL_PRECISION, new SplittableRandom(2));
        MsBlock ms = new MsBlock(4, 8, 2, spec, LayerFactory.FULL_PRECISION, new SplittableRandom(2));
        Tensor a = basic.forward(x);
        Tensor b = ms.forward(x);
        assertThat(a.shape()).containsExactly(3, 2, 8, 3, 3);
        assertThat(b.shape()).containsExactly(3, 2, 8, 3, 3);
        assertThat(basic.projects()).isTrue();
        assertThat(ms.projects()).isTrue();
        Elementwise.sum(Elementwise.add(a, b)).backward();
        boolean reached = false;
        for (float g : x.grad()) {
            reached |= g != 0f;
        }
        assertThat(reached).isTrue();
    }
}
