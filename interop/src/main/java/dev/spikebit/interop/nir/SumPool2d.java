package dev.spikebit.interop.nir;

import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;

/**
 * NIR's SumPool2d: the sum over each window (no padding), on {@code [..., C, H, W]}. Forward only:
 * an imported graph with it runs, it does not train.
 */
final class SumPool2d extends Module {
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;

    SumPool2d(int[] kernel, int[] stride) {
        this.kh = kernel[0];
        this.kw = kernel[1];
        this.sh = stride[0];
        this.sw = stride[1];
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        int r = s.length;
        int h = s[r - 2];
        int w = s[r - 1];
        int oh = (h - kh) / sh + 1;
        int ow = (w - kw) / sw + 1;
        int planes = x.size() / (h * w);
        float[] in = x.data();
        float[] out = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float sum = 0f;
                    for (int a = 0; a < kh; a++) {
                        for (int b = 0; b < kw; b++) {
                            sum += in[p * h * w + (i * sh + a) * w + j * sw + b];
                        }
                    }
                    out[(p * oh + i) * ow + j] = sum;
                }
            }
        }
        int[] shape = s.clone();
        shape[r - 2] = oh;
        shape[r - 1] = ow;
        return Tensor.of(out, shape);
    }

    @Override
    public String describe() {
        return "SumPool2d(" + kh + "x" + kw + ", stride " + sh + "x" + sw + ")";
    }
}
