package dev.spikebit.quant.subbit;

import dev.spikebit.core.kernels.Parallel;

/**
 * OS-Quant, S2NN's outlier-aware codeword selection (docs/methods.md 3). Per 3x3 kernel: sort its
 * nine values; Q1 is the median of the lowest four and Q3 the median of the highest four (Tukey's
 * hinges, the middle value left out), {@code IQR = Q3 - Q1}; a value outside the fences
 * {@code Q1 - 1.5 IQR} and {@code Q3 + 1.5 IQR} is divided by {@code Omega}, the mean of
 * {@code |w_ij - w_n|} over its 4-connected neighbours n inside the kernel (2, 3 or 4 of them).
 * Other values are unchanged.
 *
 * <p>The scaled kernel {@code w_hat} is used only to choose the codeword: the effective weight is
 * still {@code alpha * k*} and the gradient still reaches the unscaled latent weight.
 *
 * <p>Fences and {@code Omega} are computed in double, the scaled value rounded to float. A value
 * whose {@code Omega} is 0 (all its neighbours equal it, so they are outliers alike) is left
 * unchanged rather than divided by zero.
 */
public final class OsQuant {
    /** Tukey's fence factor. */
    public static final double FENCE = 1.5;

    private OsQuant() {}

    /** {@code w_hat} of every kernel of a weight {@code [..., 3, 3]}, flat; {@code weight} is not changed. */
    public static float[] scale(float[] weight) {
        if (weight.length % SignPattern.TAPS != 0) {
            throw new IllegalArgumentException("a 3x3 weight has a multiple of 9 values, got " + weight.length);
        }
        float[] out = new float[weight.length];
        int kernels = weight.length / SignPattern.TAPS;
        Parallel.range(kernels, 256, (from, to) -> {
            double[] sorted = new double[SignPattern.TAPS];
            for (int i = from; i < to; i++) {
                scaleKernel(weight, i * SignPattern.TAPS, out, sorted);
            }
        });
        return out;
    }

    /** {@code w_hat} of one kernel, nine values. */
    public static float[] scaleKernel(float[] kernel) {
        float[] out = new float[SignPattern.TAPS];
        scaleKernel(kernel, 0, out, new double[SignPattern.TAPS]);
        return out;
    }

    private static void scaleKernel(float[] w, int at, float[] out, double[] sorted) {
        for (int k = 0; k < SignPattern.TAPS; k++) {
            double v = w[at + k];
            int j = k - 1;
            while (j >= 0 && sorted[j] > v) { // insertion sort: nine values
                sorted[j + 1] = sorted[j];
                j--;
            }
            sorted[j + 1] = v;
        }
        double q1 = (sorted[1] + sorted[2]) / 2;
        double q3 = (sorted[6] + sorted[7]) / 2;
        double iqr = q3 - q1;
        double low = q1 - FENCE * iqr;
        double high = q3 + FENCE * iqr;
        for (int k = 0; k < SignPattern.TAPS; k++) {
            float v = w[at + k];
            out[at + k] = v;
            if (v < low || v > high) {
                double omega = omega(w, at, k);
                if (omega > 0) {
                    out[at + k] = (float) (v / omega);
                }
            }
        }
    }

    /** Mean of {@code |w[k] - w[n]|} over the 4-connected neighbours n of tap k inside the kernel. */
    static double omega(float[] w, int at, int k) {
        int row = k / 3;
        int col = k % 3;
        double sum = 0;
        int n = 0;
        double v = w[at + k];
        if (row > 0) {
            sum += Math.abs(v - w[at + k - 3]);
            n++;
        }
        if (row < 2) {
            sum += Math.abs(v - w[at + k + 3]);
            n++;
        }
        if (col > 0) {
            sum += Math.abs(v - w[at + k - 1]);
            n++;
        }
        if (col < 2) {
            sum += Math.abs(v - w[at + k + 1]);
            n++;
        }
        return sum / n;
    }
}
