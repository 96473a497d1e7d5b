package dev.spikebit.core.nn;

import dev.spikebit.core.ops.DropoutOp;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Dropout, active in training only. On a multi-step input {@code [T, B, ...]} one mask is drawn
 * per sample and kept over all T steps (as SpikingJelly's multi-step dropout does), so a neuron
 * is either present for the whole presentation or absent.
 *
 * <p>The masks are a pure function of a seed drawn at construction, the training step set by
 * {@link #atStep} and the number of calls since: no generator state lives across steps, so a run
 * resumed from a checkpoint at step {@code s} draws the masks an uninterrupted run draws there.
 */
public final class Dropout extends Module {
    private final float p;
    private final boolean multiStep;
    private final long seed;
    private long step;
    private long callsInStep;

    public Dropout(float p, boolean multiStep, SplittableRandom rng) {
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.multiStep = multiStep;
        this.seed = rng.nextLong();
    }

    /**
     * Starts training step {@code step} (the optimizer's step count): the masks drawn until the
     * next call depend only on the seed, {@code step} and their order within the step.
     */
    public void atStep(long step) {
        this.step = step;
        this.callsInStep = 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) {
            return x;
        }
        var masks = new SplittableRandom(mix(mix(seed + step) + callsInStep++));
        return DropoutOp.dropout(x, p, masks, multiStep ? x.dim(0) : 1);
    }

    /** SplitMix64's finaliser: scatters consecutive steps to unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String describe() {
        return "Dropout(" + p + ")";
    }
}
