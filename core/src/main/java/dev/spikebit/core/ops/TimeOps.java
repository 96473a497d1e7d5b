package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.VectorOps;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Shapes;
import dev.spikebit.core.tensor.Tensor;

/**
 * Operations along the time axis of multi-step tensors {@code [T, B, ...]} (docs/methods.md 1).
 */
public final class TimeOps {
    private TimeOps() {}

    /** Mean over the leading time axis: {@code [T, ...] -> [...]}; the output layer's readout. */
    public static Tensor meanOverTime(Tensor x) {
        try (var scope = OpProfiler.time(OpKind.ELEMENTWISE)) {
            return meanOverTimeOp(x);
        }
    }

    private static Tensor meanOverTimeOp(Tensor x) {

        int steps = x.dim(0);
        int n = x.size() / steps;
        float[] in = x.data();
        float[] out = new float[n];
        for (int t = 0; t < steps; t++) {
            for (int i = 0, o = t * n; i < n; i++) {
                out[i] += in[o + i];
            }
        }
        float inv = 1f / steps;
        for (int i = 0; i < n; i++) {
            out[i] *= inv;
        }
        return Tensor.result(
                out,
                Shapes.dropFirst(x.shape()),
                g -> {
                    float[] gx = x.grad();
                    for (int t = 0; t < steps; t++) {
                        for (int i = 0, o = t * n; i < n; i++) {
                            gx[o + i] += g[i] * inv;
                        }
                    }
                },
                x);
    }

    /**
     * Repeats a single-step tensor {@code [B, ...]} over T steps: {@code [T, B, ...]}. Direct
     * encoding computes the stem once and repeats its output, instead of convolving the same
     * image T times; the backward sums the T gradients.
     */
    public static Tensor repeatTime(Tensor x, int steps) {
        try (var scope = OpProfiler.time(OpKind.ELEMENTWISE)) {
            return repeatTimeOp(x, steps);
        }
    }

    private static Tensor repeatTimeOp(Tensor x, int steps) {

        int n = x.size();
        float[] out = new float[n * steps];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(x.data(), 0, out, t * n, n);
        }
        return Tensor.result(
                out,
                Shapes.prepend(steps, x.shape()),
                g -> {
                    float[] gx = x.grad();
                    for (int t = 0; t < steps; t++) {
                        VectorOps.addInto(gx, 0, g, t * n, n);
                    }
                },
                x);
    }

    /** Step {@code t} of a multi-step tensor: {@code [T, ...] -> [...]}. */
    public static Tensor select(Tensor x, int t) {
        int n = x.size() / x.dim(0);
        float[] out = new float[n];
        System.arraycopy(x.data(), t * n, out, 0, n);
        return Tensor.result(
                out,
                Shapes.dropFirst(x.shape()),
                g -> {
                    float[] gx = x.grad();
                    for (int i = 0; i < n; i++) {
                        gx[t * n + i] += g[i];
                    }
                },
                x);
    }

    /** Stacks same-shaped steps into a multi-step tensor {@code [T, ...]}. */
    public static Tensor stack(java.util.List<Tensor> steps) {
        int n = steps.get(0).size();
        float[] out = new float[n * steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            System.arraycopy(steps.get(t).data(), 0, out, t * n, n);
        }
        Tensor[] inputs = steps.toArray(new Tensor[0]);
        return Tensor.result(
                out,
                Shapes.prepend(steps.size(), steps.get(0).shape()),
                g -> {
                    for (int t = 0; t < inputs.length; t++) {
                        if (inputs[t].requiresGrad()) {
                            float[] gt = inputs[t].grad();
                            for (int i = 0; i < n; i++) {
                                gt[i] += g[t * n + i];
                            }
                        }
                    }
                },
                inputs);
    }
}
