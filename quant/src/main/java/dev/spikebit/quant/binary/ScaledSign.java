package dev.spikebit.quant.binary;

import dev.spikebit.core.tensor.Tensor;

/**
 * The binary weight of ReverB-SNN, {@code Wb = alpha[c] * sign(W)}, as an autograd operation
 * (docs/methods.md 2). {@code sign(0) = +1}, one {@code alpha} per output channel (the first axis of
 * the latent weight), and a straight-through backward:
 * <pre>
 *   dL/dW[c,k]   = dL/dWb[c,k] * 1{|W[c,k]| &lt;= 1}
 *   dL/dalpha[c] = sum_k dL/dWb[c,k] * sign(W[c,k])
 * </pre>
 * The first line is not the derivative of the forward (that is zero almost everywhere): it is the
 * clipped identity of BinaryConnect, which lets the latent weights keep learning. It deliberately
 * has no factor {@code alpha}, as docs/methods.md writes it.
 *
 * <p>This is Larq's {@code ste_sign} with a per-channel scale, named for what it computes.
 */
public final class ScaledSign {
    private ScaledSign() {}

    /** {@code sign(w)} with {@code sign(0) = +1} (and {@code sign(-0) = +1}). */
    public static float sign(float w) {
        return w >= 0f ? 1f : -1f;
    }

    /**
     * {@code alpha[c] * sign(latent[c, ...])} with a trainable amplitude: gradients flow to the
     * latent weight (straight through, clipped at |W| = 1) and to {@code alpha}.
     *
     * @param latent the latent full-precision weight {@code [C, ...]}
     * @param alpha  one amplitude per output channel, {@code [C]}
     */
    public static Tensor apply(Tensor latent, Tensor alpha) {
        int channels = latent.dim(0);
        if (alpha.rank() != 1 || alpha.dim(0) != channels) {
            throw new IllegalArgumentException(
                    "scaled sign: " + latent + " needs one amplitude per output channel, got " + alpha);
        }
        float[] out = forward(latent.data(), alpha.data(), channels);
        return Tensor.result(
                out,
                latent.shape(),
                g -> {
                    if (latent.requiresGrad()) {
                        straightThrough(g, latent.data(), latent.grad());
                    }
                    if (alpha.requiresGrad()) {
                        amplitudeGradient(g, latent.data(), channels, alpha.grad());
                    }
                },
                latent,
                alpha);
    }

    /**
     * {@code alpha[c] * sign(latent[c, ...])} with a constant amplitude (the fixed-scaling
     * ablation): only the latent weight gets a gradient, by the same straight-through rule.
     */
    public static Tensor apply(Tensor latent, float[] alpha) {
        int channels = latent.dim(0);
        if (alpha.length != channels) {
            throw new IllegalArgumentException(
                    "scaled sign: " + latent + " needs one amplitude per output channel, got " + alpha.length);
        }
        float[] out = forward(latent.data(), alpha, channels);
        return Tensor.result(out, latent.shape(), g -> straightThrough(g, latent.data(), latent.grad()), latent);
    }

    /**
     * The mean absolute value of each output channel's latent weights, {@code mean(|W[c]|)}: the
     * initial trainable amplitude, and the fixed amplitude of XNOR-Net-style scaling. Summed in
     * double so that the value does not depend on the channel's size beyond float rounding.
     */
    public static float[] meanAbs(float[] latent, int channels) {
        int perChannel = latent.length / channels;
        float[] alpha = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int i = c * perChannel, end = i + perChannel; i < end; i++) {
                s += Math.abs(latent[i]);
            }
            alpha[c] = (float) (s / perChannel);
        }
        return alpha;
    }

    private static float[] forward(float[] w, float[] alpha, int channels) {
        int perChannel = w.length / channels;
        float[] out = new float[w.length];
        for (int c = 0; c < channels; c++) {
            float a = alpha[c];
            for (int i = c * perChannel, end = i + perChannel; i < end; i++) {
                // A choice of sign, not a product: the forward is exact.
                out[i] = w[i] >= 0f ? a : -a;
            }
        }
        return out;
    }

    private static void straightThrough(float[] g, float[] w, float[] gw) {
        for (int i = 0; i < w.length; i++) {
            if (Math.abs(w[i]) <= 1f) {
                gw[i] += g[i];
            }
        }
    }

    private static void amplitudeGradient(float[] g, float[] w, int channels, float[] ga) {
        int perChannel = w.length / channels;
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int i = c * perChannel, end = i + perChannel; i < end; i++) {
                s += w[i] >= 0f ? g[i] : -g[i];
            }
            ga[c] += (float) s;
        }
    }
}
