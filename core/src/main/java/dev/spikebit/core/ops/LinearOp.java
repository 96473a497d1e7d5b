package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.gemm.Gemm;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Tensor;

/** The fully connected map {@code y = x W^T + b} on {@code x [N, in]}, {@code W [out, in]}. */
public final class LinearOp {
    private LinearOp() {}

    /** {@code bias} may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        try (var scope = OpProfiler.time(OpKind.GEMM_LINEAR)) {
            return linearOp(x, weight, bias);
        }
    }

    private static Tensor linearOp(Tensor x, Tensor weight, Tensor bias) {
        int n = x.dim(0);
        int in = x.dim(1);
        int out = weight.dim(0);
        if (weight.dim(1) != in) {
            throw new IllegalArgumentException(
                    "linear: input has " + in + " features, weight expects " + weight.dim(1));
        }
        long nonZero = SpikeConv.nonZeros(x.data());
        if (OpProfiler.recording()) {
            OpProfiler.countInputs("linear " + in + "->" + out, nonZero, (long) n * in);
        }
        Gemm gemm = Gemms.get();
        float[] y;
        if (nonZero <= EventLinear.MAX_DENSITY * n * in) {
            y = EventLinear.forward(x.data(), n, in, weight.data(), out);
        } else {
            y = new float[n * out];
            gemm.sgemm(false, true, n, out, in, 1f, x.data(), 0, in, weight.data(), 0, in, 0f, y, 0, out);
        }
        if (bias != null) {
            float[] b = bias.data();
            for (int r = 0; r < n; r++) {
                for (int j = 0, o = r * out; j < out; j++) {
                    y[o + j] += b[j];
                }
            }
        }
        return Tensor.result(
                y,
                new int[] {n, out},
                g -> {
                    if (x.requiresGrad()) {
                        // dx = g [N, out] * W [out, in]
                        gemm.sgemm(false, false, n, in, out, 1f, g, 0, out, weight.data(), 0, in, 1f, x.grad(), 0, in);
                    }
                    if (weight.requiresGrad()) {
                        // dW += g^T [out, N] * x [N, in]
                        gemm.sgemm(true, false, out, in, n, 1f, g, 0, out, x.data(), 0, in, 1f, weight.grad(), 0, in);
                    }
                    if (bias != null && bias.requiresGrad()) {
                        float[] gb = bias.grad();
                        for (int r = 0; r < n; r++) {
                            for (int j = 0, o = r * out; j < out; j++) {
                                gb[j] += g[o + j];
                            }
                        }
                    }
                },
                x,
                weight,
                bias);
    }

    /** Plain matrix product {@code a [M, K] * b [K, N]}. */
    public static Tensor matmul(Tensor a, Tensor b) {
        int m = a.dim(0);
        int k = a.dim(1);
        int n = b.dim(1);
        if (b.dim(0) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ, " + k + " and " + b.dim(0));
        }
        Gemm gemm = Gemms.get();
        float[] c = new float[m * n];
        gemm.sgemm(false, false, m, n, k, 1f, a.data(), 0, k, b.data(), 0, n, 0f, c, 0, n);
        return Tensor.result(
                c,
                new int[] {m, n},
                g -> {
                    if (a.requiresGrad()) {
                        gemm.sgemm(false, true, m, k, n, 1f, g, 0, n, b.data(), 0, n, 1f, a.grad(), 0, k);
                    }
                    if (b.requiresGrad()) {
                        gemm.sgemm(true, false, k, n, m, 1f, a.data(), 0, k, g, 0, n, 1f, b.grad(), 0, n);
                    }
                },
                a,
                b);
    }
}
