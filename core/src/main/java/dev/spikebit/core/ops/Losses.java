package dev.spikebit.core.ops;

import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Tensor;

/** Loss functions (docs/methods.md 1: cross-entropy on the time-mean output, or TET). */
public final class Losses {
    private Losses() {}

    /**
     * Mean cross-entropy of {@code logits [N, K]} against class indices, with log-softmax fused in
     * for stability. Backward: {@code (softmax - onehot) / N}.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        try (var scope = OpProfiler.time(OpKind.LOSS)) {
            return crossEntropyOp(logits, labels);
        }
    }

    private static Tensor crossEntropyOp(Tensor logits, int[] labels) {

        if (logits.rank() != 2 || logits.dim(0) != labels.length) {
            throw new IllegalArgumentException(
                    "crossEntropy expects logits [N, K] with N = " + labels.length + " labels, got " + logits);
        }
        int n = logits.dim(0);
        int k = logits.dim(1);
        float[] z = logits.data();
        float[] softmax = new float[z.length];
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int o = r * k;
            int label = labels[r];
            if (label < 0 || label >= k) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + k + ")");
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                float e = (float) Math.exp(z[o + j] - max);
                softmax[o + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < k; j++) {
                softmax[o + j] *= inv;
            }
            loss += Math.log(sum) + max - z[o + label];
        }
        float mean = (float) (loss / n);
        return Tensor.result(
                new float[] {mean},
                new int[0],
                g -> {
                    float[] gz = logits.grad();
                    float scale = g[0] / n;
                    for (int r = 0; r < n; r++) {
                        int o = r * k;
                        for (int j = 0; j < k; j++) {
                            gz[o + j] += scale * (softmax[o + j] - (j == labels[r] ? 1f : 0f));
                        }
                    }
                },
                logits);
    }

    /**
     * TET loss (Deng et al. 2022, as docs/methods.md 1 states it): the mean over t of the
     * cross-entropy of each step's logits {@code [T, N, K]}.
     */
    public static Tensor tet(Tensor stepLogits, int[] labels) {
        int steps = stepLogits.dim(0);
        int n = stepLogits.dim(1);
        int[] repeated = new int[steps * n];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(labels, 0, repeated, t * n, n);
        }
        return crossEntropy(stepLogits.reshape(steps * n, stepLogits.dim(2)), repeated);
    }

    /** Mean squared error between two tensors of the same shape. */
    public static Tensor mse(Tensor a, Tensor b) {
        Tensor d = Elementwise.sub(a, b);
        return Elementwise.mean(Elementwise.mul(d, d));
    }

    /** Index of the largest logit of each row of {@code [N, K]}. */
    public static int[] argmax(Tensor logits) {
        int n = logits.dim(0);
        int k = logits.dim(1);
        float[] z = logits.data();
        int[] out = new int[n];
        for (int r = 0; r < n; r++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (z[r * k + j] > z[r * k + best]) {
                    best = j;
                }
            }
            out[r] = best;
        }
        return out;
    }
}
