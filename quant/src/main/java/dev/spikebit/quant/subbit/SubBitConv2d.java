package dev.spikebit.quant.subbit;

import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.ParamRole;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.ScaledSign;
import java.util.SplittableRandom;

/**
 * A 3x3 convolution with S2NN sub-bit weights (docs/methods.md 3). The layer keeps latent float
 * kernels {@code w}; each forward picks for every kernel the codeword
 * {@code k* = argmax_k <k, w_hat>} of the layer's {@link Codebook} ({@code w_hat = w}, or the
 * {@link OsQuant}-scaled kernel), and convolves with {@code alpha[c] * k*}. Backward is straight
 * through as for binary weights (docs/methods.md 2):
 * <pre>
 *   dL/dw[c,i,k]  = dL/dWq[c,i,k] * 1{|w[c,i,k]| &lt;= 1}
 *   dL/dalpha[c]  = sum_{i,k} dL/dWq[c,i,k] * k*[c,i][k]
 * </pre>
 * {@code alpha} is a parameter of role {@code AMPLITUDE} initialised to {@code mean(|w[c]|)}.
 *
 * <p>The codebook lives in a buffer named {@code codebook} (pattern ids as floats, so a
 * checkpoint carries it). It is taken from the initial latent weights' statistics when the layer
 * is made, replaced by the trained binary network's codebook when a sub-bit network is
 * compressed from one ({@link #setCodebook}), and fixed during training unless
 * {@code refreshEvery > 0}: then every {@code refreshEvery} training forwards it is rebuilt from
 * the sign patterns of the current latent weights (the codewords they would pick from all 512).
 */
public final class SubBitConv2d extends Conv2d {
    private final int eta;
    private final boolean osQuant;
    private final int refreshEvery;
    private final float[] codebookIds;
    private final Tensor alpha;
    private long trainingSteps;

    public SubBitConv2d(
            int inChannels,
            int outChannels,
            int stride,
            int padding,
            boolean bias,
            SplittableRandom rng,
            int eta,
            boolean osQuant,
            int refreshEvery) {
        super(inChannels, outChannels, 3, stride, padding, bias, rng);
        Codebook.checkEta(eta);
        this.eta = eta;
        this.osQuant = osQuant;
        this.refreshEvery = refreshEvery;
        this.alpha = registerParameter(
                "alpha", Tensor.of(ScaledSign.meanAbs(weight.data(), outChannels), outChannels), ParamRole.AMPLITUDE);
        this.codebookIds = registerBuffer(
                "codebook", KernelStatistics.of(weight.data()).codebook(eta).asFloats(), 1 << eta);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isTraining() && refreshEvery > 0 && ++trainingSteps % refreshEvery == 0) {
            setCodebook(KernelStatistics.of(weight.data()).codebook(eta));
        }
        return super.forward(x);
    }

    @Override
    protected Tensor effectiveWeight() {
        Codebook codebook = codebook();
        int[] index = selection(codebook);
        float[] codewords = codewords(codebook, index);
        float[] a = alpha.data();
        int perChannel = inChannels * 9;
        float[] out = new float[codewords.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = codewords[i] > 0 ? a[i / perChannel] : -a[i / perChannel];
        }
        return Tensor.result(
                out,
                weight.shape(),
                g -> {
                    float[] w = weight.data();
                    if (weight.requiresGrad()) {
                        float[] gw = weight.grad();
                        for (int i = 0; i < w.length; i++) {
                            if (Math.abs(w[i]) <= 1f) {
                                gw[i] += g[i];
                            }
                        }
                    }
                    if (alpha.requiresGrad()) {
                        float[] ga = alpha.grad();
                        for (int c = 0; c < outChannels; c++) {
                            double s = 0;
                            for (int i = c * perChannel, end = i + perChannel; i < end; i++) {
                                s += codewords[i] > 0 ? g[i] : -g[i];
                            }
                            ga[c] += (float) s;
                        }
                    }
                },
                weight,
                alpha);
    }

    /** The codeword index of every kernel for the current latent weights, {@code [out * in]}. */
    public int[] selection() {
        return selection(codebook());
    }

    private int[] selection(Codebook codebook) {
        return CodewordSelection.select(osQuant ? OsQuant.scale(weight.data()) : weight.data(), codebook);
    }

    /** The selected kernels as +-1, {@code [out, in, 3, 3]} flat: the signs the deployed layer uses. */
    public float[] selectedSigns() {
        Codebook codebook = codebook();
        return codewords(codebook, selection(codebook));
    }

    private static float[] codewords(Codebook codebook, int[] index) {
        float[] out = new float[index.length * SignPattern.TAPS];
        for (int i = 0; i < index.length; i++) {
            int pattern = codebook.pattern(index[i]);
            for (int k = 0; k < SignPattern.TAPS; k++) {
                out[i * SignPattern.TAPS + k] = SignPattern.sign(pattern, k);
            }
        }
        return out;
    }

    /** The layer's current codebook. */
    public Codebook codebook() {
        return Codebook.fromFloats(codebookIds);
    }

    /** Replaces the codebook (same eta), e.g. by the trained binary layer's. */
    public void setCodebook(Codebook codebook) {
        if (codebook.eta() != eta) {
            throw new IllegalArgumentException(
                    describe() + ": codebook has eta " + codebook.eta() + ", layer has " + eta);
        }
        System.arraycopy(codebook.asFloats(), 0, codebookIds, 0, codebookIds.length);
    }

    public Tensor latentWeight() {
        return weight;
    }

    /** The trainable amplitudes now, one per output channel; a copy. */
    public float[] amplitudes() {
        return alpha.data().clone();
    }

    public Tensor alpha() {
        return alpha;
    }

    public int eta() {
        return eta;
    }

    public boolean osQuant() {
        return osQuant;
    }

    public int refreshEvery() {
        return refreshEvery;
    }

    @Override
    public String describe() {
        String base = super.describe();
        return base.substring(0, base.length() - 1) + ", eta " + eta + (osQuant ? ", OS-Quant" : "") + ")";
    }
}
