package dev.spikebit.core.nn;

import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.tensor.Tensor;

/**
 * Direct encoding's hand-over from the single-step stem to the multi-step network: the stem (first
 * conv and its BN) sees the same image at every step, so it runs once on {@code [B, ...]} and its
 * output is repeated to {@code [T, B, ...]} (docs/methods.md 1). Batch-norm statistics are unchanged by
 * the repetition, so this equals running the stem T times.
 */
public final class RepeatTime extends Module {
    private final int steps;

    public RepeatTime(int steps) {
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return TimeOps.repeatTime(x, steps);
    }

    @Override
    public String describe() {
        return "RepeatTime(T=" + steps + ")";
    }
}
