package dev.spikebit.interop.nir;

import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;

/** NIR's Scale: each element of a sample times its factor (a factor array of the sample's shape, or one). Forward only. */
final class ElementwiseScale extends Module {
    private final float[] factors;

    ElementwiseScale(float[] factors) {
        this.factors = factors.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        float[] in = x.data();
        float[] out = new float[in.length];
        int n = factors.length;
        if (in.length % n != 0) {
            throw new IllegalArgumentException(describe() + ": input of " + x + " is not a whole number of samples");
        }
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] * factors[i % n];
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public String describe() {
        return "Scale(" + factors.length + ")";
    }
}
