package dev.spikebit.core.nn;

import dev.spikebit.core.tensor.Tensor;

/**
 * Flattens all axes from {@code startAxis} on. Single-step {@code [N, C, H, W]} uses start 1;
 * multi-step {@code [T, B, C, H, W]} keeps T and B, so the model zoo uses {@link #multiStep()}.
 */
public final class Flatten extends Module {
    private final int startAxis;

    public Flatten(int startAxis) {
        this.startAxis = startAxis;
    }

    public static Flatten multiStep() {
        return new Flatten(2);
    }

    /** The first axis that is flattened: 1 for single-step input, 2 for multi-step. */
    public int startAxis() {
        return startAxis;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = new int[startAxis + 1];
        for (int i = 0; i < startAxis; i++) {
            shape[i] = x.dim(i);
        }
        shape[startAxis] = -1;
        return x.reshape(shape);
    }

    @Override
    public String describe() {
        return "Flatten(from " + startAxis + ")";
    }
}
