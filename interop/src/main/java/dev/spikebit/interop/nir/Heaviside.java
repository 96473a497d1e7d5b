package dev.spikebit.interop.nir;

import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;

/**
 * NIR's Threshold, {@code Theta(x - threshold)} per element, with {@code Theta(0) = 1} as spikebit's
 * neurons fire at {@code H >= vth}. Forward only.
 */
final class Heaviside extends Module {
    private final float[] thresholds;

    Heaviside(float[] thresholds) {
        this.thresholds = thresholds.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        float[] in = x.data();
        float[] out = new float[in.length];
        int n = thresholds.length;
        if (in.length % n != 0) {
            throw new IllegalArgumentException(describe() + ": input of " + x + " is not a whole number of samples");
        }
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] >= thresholds[i % n] ? 1f : 0f;
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public String describe() {
        return "Threshold(" + thresholds.length + ")";
    }
}
