package dev.spikebit.core.nn;

import dev.spikebit.core.ops.DropoutOp;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Dropout, active in training only. On a multi-step input {@code [T, B, ...]} one mask is drawn
 * per sample and kept over all T steps (as SpikingJelly's multi-step dropout does), so a neuron
 * is either present for the whole presentation or absent.
 */
public final class Dropout extends Module {
    private final float p;
    private final boolean multiStep;
    private final SplittableRandom rng;

    public Dropout(float p, boolean multiStep, SplittableRandom rng) {
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.multiStep = multiStep;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) {
            return x;
        }
        return DropoutOp.dropout(x, p, rng, multiStep ? x.dim(0) : 1);
    }

    @Override
    public String describe() {
        return "Dropout(" + p + ")";
    }
}
