package dev.spikebit.core.nn;

import dev.spikebit.core.tensor.Shapes;
import dev.spikebit.core.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * Runs a stateless single-step layer on a multi-step tensor: {@code [T, B, ...]} is seen as one
 * batch {@code [T*B, ...]} (a reshape, no copy) and the result is split back into T steps.
 */
public final class MultiStep {
    private MultiStep() {}

    /**
     * Applies {@code layer} to {@code x}; when {@code x} has one axis more than
     * {@code singleStepRank}, the first two axes are merged around the call.
     */
    public static Tensor apply(Tensor x, int singleStepRank, UnaryOperator<Tensor> layer) {
        if (x.rank() == singleStepRank) {
            return layer.apply(x);
        }
        if (x.rank() != singleStepRank + 1) {
            throw new IllegalArgumentException("expected a tensor of rank " + singleStepRank + " or "
                    + (singleStepRank + 1) + " (multi-step), got " + x);
        }
        int steps = x.dim(0);
        int batch = x.dim(1);
        Tensor y = layer.apply(x.reshape(Shapes.mergeFirstTwo(x.shape())));
        int[] out = Shapes.prepend(steps, y.shape());
        out[1] = batch;
        return y.reshape(out);
    }
}
