package dev.spikebit.runtime.kernels;

/**
 * Max and average pooling over square windows without padding, one image {@code [C, h, w]}; both
 * commute with the positive spike scales of the standard form (methods.md 2). The average is the
 * window's sum in row order times {@code 1 / (k * k)}, as the training network computes it.
 */
public final class PoolKernels {
    private PoolKernels() {
    }

    public static void max(int channels, int h, int w, int k, int s, float[] x, int xOff, float[] out, int outOff) {
        int oh = (h - k) / s + 1;
        int ow = (w - k) / s + 1;
        if (k == 2 && s == 2) {
            max2x2(channels, h, w, oh, ow, x, xOff, out, outOff);
            return;
        }
        for (int c = 0; c < channels; c++) {
            int in = xOff + c * h * w;
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k; ky++) {
                        int row = in + (oy * s + ky) * w + ox * s;
                        for (int kx = 0; kx < k; kx++) {
                            float v = x[row + kx];
                            m = v > m ? v : m;
                        }
                    }
                    out[dst + oy * ow + ox] = m;
                }
            }
        }
    }

    /**
     * The common 2x2, stride 2 window, unrolled. {@code Math.max} compiles to branch-free
     * instructions; a comparison would branch, and on spikes (zero or not at random) the branch
     * is mispredicted half the time.
     */
    private static void max2x2(int channels, int h, int w, int oh, int ow, float[] x, int xOff, float[] out, int outOff) {
        for (int c = 0; c < channels; c++) {
            int in = xOff + c * h * w;
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int top = in + 2 * oy * w;
                int bottom = top + w;
                int o = dst + oy * ow;
                for (int ox = 0; ox < ow; ox++) {
                    float a = x[top + 2 * ox];
                    float b = x[top + 2 * ox + 1];
                    float d = x[bottom + 2 * ox];
                    float e = x[bottom + 2 * ox + 1];
                    out[o + ox] = Math.max(Math.max(a, b), Math.max(d, e));
                }
            }
        }
    }

    public static void average(int channels, int h, int w, int k, int s, float[] x, int xOff, float[] out, int outOff) {
        int oh = (h - k) / s + 1;
        int ow = (w - k) / s + 1;
        float inv = 1f / (k * k);
        for (int c = 0; c < channels; c++) {
            int in = xOff + c * h * w;
            int dst = outOff + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float sum = 0f;
                    for (int ky = 0; ky < k; ky++) {
                        int row = in + (oy * s + ky) * w + ox * s;
                        for (int kx = 0; kx < k; kx++) {
                            sum += x[row + kx];
                        }
                    }
                    out[dst + oy * ow + ox] = sum * inv;
                }
            }
        }
    }
}
