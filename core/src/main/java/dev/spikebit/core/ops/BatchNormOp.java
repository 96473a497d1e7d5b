package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.VectorOps;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Tensor;

/**
 * Batch normalisation over {@code [N, C, ...]}: statistics per channel C over the batch and any
 * spatial axes. In training it normalises with the batch statistics and updates the running ones
 * (momentum m: {@code r = (1 - m) r + m s}, running variance unbiased as in PyTorch); in
 * evaluation it is the fixed affine map of the running statistics.
 */
public final class BatchNormOp {
    private BatchNormOp() {}

    public static Tensor batchNorm(
            Tensor x,
            Tensor gamma,
            Tensor beta,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            float momentum,
            float eps) {
        try (var scope = OpProfiler.time(OpKind.BATCH_NORM)) {
            return normalize(x, gamma, beta, runningMean, runningVar, training, momentum, eps);
        }
    }

    /** The per-channel mean and inverse standard deviation a batch norm normalises with. */
    public record Statistics(float[] mean, float[] invStd) {
        /** The affine map {@code y = x * scale + shift} of each channel, given gamma and beta. */
        public void scaleShift(float[] gamma, float[] beta, float[] scale, float[] shift) {
            for (int c = 0; c < mean.length; c++) {
                scale[c] = gamma[c] * invStd[c];
                shift[c] = beta[c] - mean[c] * scale[c];
            }
        }
    }

    /**
     * In training the batch statistics of {@code in [n, channels, spatial]}, updating the running
     * ones; in evaluation the running ones.
     */
    public static Statistics statistics(
            float[] in,
            int n,
            int channels,
            int spatial,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            float momentum,
            float eps) {
        int count = n * spatial;
        float[] mean = new float[channels];
        float[] invStd = new float[channels];
        if (training) {
            Parallel.range(channels, 1, (from, to) -> {
                for (int c = from; c < to; c++) {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        int off = (i * channels + c) * spatial;
                        s += VectorOps.sum(in, off, off + spatial);
                    }
                    float mu = (float) (s / count);
                    double ss = 0;
                    for (int i = 0; i < n; i++) {
                        int off = (i * channels + c) * spatial;
                        ss += VectorOps.sumSquaredDeviation(in, off, off + spatial, mu);
                    }
                    float var = (float) (ss / count);
                    mean[c] = mu;
                    invStd[c] = (float) (1.0 / Math.sqrt(var + eps));
                    runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mu;
                    float unbiased = count > 1 ? (float) (ss / (count - 1)) : var;
                    runningVar[c] = (1 - momentum) * runningVar[c] + momentum * unbiased;
                }
            });
        } else {
            for (int c = 0; c < channels; c++) {
                mean[c] = runningMean[c];
                invStd[c] = (float) (1.0 / Math.sqrt(runningVar[c] + eps));
            }
        }
        return new Statistics(mean, invStd);
    }

    /**
     * Backward from the gradient {@code g} of the output: its plane sums ({@link #planeSums}, split
     * over the pool by plane), then {@link #backward(float[], float[], float[], Tensor, int, int,
     * Tensor, Tensor, Statistics, boolean)}.
     */
    public static void backward(
            float[] g, Tensor x, int n, int channels, Tensor gamma, Tensor beta, Statistics stats, boolean training) {
        int spatial = x.size() / (n * channels);
        float[] in = x.data();
        float[] planeSum = new float[n * channels];
        float[] planeDot = new float[n * channels];
        Parallel.range(n * channels, channels, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                planeSums(g, in, plane, spatial, planeSum, planeDot);
            }
        });
        backward(g, planeSum, planeDot, x, n, channels, gamma, beta, stats, training);
    }

    /**
     * Backward, for a gradient {@code g} of the output whose plane sums are already known:
     * {@code planeSum[i * channels + c]} the sum of g over plane (i, c) and {@code planeDot} its
     * dot product with the input there (as {@link #planeSums} computes them). {@code x} holds
     * {@code n} planes of each channel, {@code [n, channels, ...]} in memory whatever its shape.
     * Adds into the gradients of gamma, beta and x where they require them.
     */
    public static void backward(
            float[] g,
            float[] planeSum,
            float[] planeDot,
            Tensor x,
            int n,
            int channels,
            Tensor gamma,
            Tensor beta,
            Statistics stats,
            boolean training) {
        int spatial = x.size() / (n * channels);
        int count = n * spatial;
        float[] in = x.data();
        float[] mean = stats.mean();
        float[] invStd = stats.invStd();
        float[] ga = gamma.data();
        // Per channel: sum of g and sum of g * xhat, with xhat = (x - mean) * invStd.
        float[] sumG = new float[channels];
        float[] sumGx = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sg = 0;
            double sgx = 0;
            for (int i = 0; i < n; i++) {
                float gs = planeSum[i * channels + c];
                sg += gs;
                sgx += planeDot[i * channels + c] - mean[c] * gs;
            }
            sumG[c] = (float) sg;
            sumGx[c] = (float) (sgx * invStd[c]);
        }
        if (gamma.requiresGrad()) {
            float[] gg = gamma.grad();
            for (int c = 0; c < channels; c++) {
                gg[c] += sumGx[c];
            }
        }
        if (beta.requiresGrad()) {
            float[] gb = beta.grad();
            for (int c = 0; c < channels; c++) {
                gb[c] += sumG[c];
            }
        }
        if (x.requiresGrad()) {
            // A first gradient is written, not added into zeros (0 + v: the same bits, no clearing).
            boolean fresh = !x.hasGrad();
            float[] gx = fresh ? x.gradToOverwrite() : x.grad();
            Parallel.range(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    for (int c = 0; c < channels; c++) {
                        int off = (i * channels + c) * spatial;
                        float k = ga[c] * invStd[c];
                        if (training) {
                            // dx = k * (g - mean(g) - xhat * mean(g * xhat))
                            float meanG = sumG[c] / count;
                            float meanGx = sumGx[c] / count;
                            float mu = mean[c];
                            float is = invStd[c];
                            if (fresh) {
                                for (int p = off; p < off + spatial; p++) {
                                    gx[p] = 0f + k * (g[p] - meanG - (in[p] - mu) * is * meanGx);
                                }
                            } else {
                                for (int p = off; p < off + spatial; p++) {
                                    gx[p] += k * (g[p] - meanG - (in[p] - mu) * is * meanGx);
                                }
                            }
                        } else if (fresh) {
                            for (int p = off; p < off + spatial; p++) {
                                gx[p] = 0f + k * g[p];
                            }
                        } else {
                            for (int p = off; p < off + spatial; p++) {
                                gx[p] += k * g[p];
                            }
                        }
                    }
                }
            });
        }
    }

    /** The sum of {@code g} and its dot product with {@code in} over the plane {@code plane} of {@code spatial} elements. */
    public static void planeSums(float[] g, float[] in, int plane, int spatial, float[] planeSum, float[] planeDot) {
        int off = plane * spatial;
        planeSum[plane] = VectorOps.sum(g, off, off + spatial);
        planeDot[plane] = VectorOps.dot(g, off, in, off, spatial);
    }

    private static Tensor normalize(
            Tensor x,
            Tensor gamma,
            Tensor beta,
            float[] runningMean,
            float[] runningVar,
            boolean training,
            float momentum,
            float eps) {
        int n = x.dim(0);
        int channels = x.dim(1);
        int spatial = x.size() / (n * channels);
        float[] in = x.data();
        Statistics stats = statistics(in, n, channels, spatial, runningMean, runningVar, training, momentum, eps);
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        stats.scaleShift(gamma.data(), beta.data(), scale, shift);
        float[] out = new float[in.length];
        Parallel.range(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int c = 0; c < channels; c++) {
                    int off = (i * channels + c) * spatial;
                    float sc = scale[c];
                    float sh = shift[c];
                    for (int p = 0; p < spatial; p++) {
                        out[off + p] = in[off + p] * sc + sh;
                    }
                }
            }
        });
        return Tensor.result(
                out, x.shape(), g -> backward(g, x, n, channels, gamma, beta, stats, training), x, gamma, beta);
    }
}
