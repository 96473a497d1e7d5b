package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.tensor.Tensor;

/** Max and average pooling over {@code [N, C, H, W]} (no padding), each beside its backward. */
public final class Pooling {
    private Pooling() {
    }

    /** Max pooling; backward routes each gradient to the input that won (first one on ties). */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride) {
        ConvGeometry geo = geometry(x, kernel, stride);
        int planes = x.dim(0) * x.dim(1);
        int inPlane = geo.inPixels();
        int oh = geo.outHeight();
        int ow = geo.outWidth();
        int outPlane = oh * ow;
        float[] in = x.data();
        float[] out = new float[planes * outPlane];
        int[] argmax = new int[out.length];
        int w = geo.width();
        Parallel.range(planes, 16, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                if (kernel == 2 && stride == 2) {
                    maxPlane2x2(in, pl * inPlane, w, out, argmax, pl * outPlane, oh, ow);
                } else {
                    maxPlane(in, pl * inPlane, w, kernel, stride, out, argmax, pl * outPlane, oh, ow);
                }
            }
        });
        return Tensor.result(out, new int[] {x.dim(0), x.dim(1), oh, ow}, g -> {
            float[] gx = x.grad();
            for (int i = 0; i < g.length; i++) {
                gx[argmax[i]] += g[i];
            }
        }, x);
    }

    /** The common 2x2, stride 2 window: two input rows per output row, no inner window loops. */
    private static void maxPlane2x2(float[] in, int base, int w, float[] out, int[] argmax, int outBase, int oh, int ow) {
        for (int y = 0; y < oh; y++) {
            int top = base + 2 * y * w;
            int bottom = top + w;
            int o = outBase + y * ow;
            for (int xo = 0; xo < ow; xo++) {
                int a = top + 2 * xo;
                int b = bottom + 2 * xo;
                int best = a;
                float max = in[a];
                if (in[a + 1] > max) {
                    max = in[a + 1];
                    best = a + 1;
                }
                if (in[b] > max) {
                    max = in[b];
                    best = b;
                }
                if (in[b + 1] > max) {
                    max = in[b + 1];
                    best = b + 1;
                }
                out[o + xo] = max;
                argmax[o + xo] = best;
            }
        }
    }

    private static void maxPlane(float[] in, int base, int w, int kernel, int stride, float[] out, int[] argmax,
                                 int outBase, int oh, int ow) {
        for (int y = 0; y < oh; y++) {
            for (int xo = 0; xo < ow; xo++) {
                int best = base + (y * stride) * w + xo * stride;
                float max = in[best];
                for (int ki = 0; ki < kernel; ki++) {
                    int row = base + (y * stride + ki) * w + xo * stride;
                    for (int kj = 0; kj < kernel; kj++) {
                        if (in[row + kj] > max) {
                            max = in[row + kj];
                            best = row + kj;
                        }
                    }
                }
                out[outBase + y * ow + xo] = max;
                argmax[outBase + y * ow + xo] = best;
            }
        }
    }

    /** Average pooling; {@code kernel == H == W} gives global average pooling. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride) {
        ConvGeometry geo = geometry(x, kernel, stride);
        int planes = x.dim(0) * x.dim(1);
        int inPlane = geo.inPixels();
        int w = geo.width();
        int oh = geo.outHeight();
        int ow = geo.outWidth();
        int outPlane = oh * ow;
        float inv = 1f / (kernel * kernel);
        float[] in = x.data();
        float[] out = new float[planes * outPlane];
        Parallel.range(planes, 16, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int base = pl * inPlane;
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        float s = 0;
                        for (int ki = 0; ki < kernel; ki++) {
                            int row = base + (y * stride + ki) * w + xo * stride;
                            for (int kj = 0; kj < kernel; kj++) {
                                s += in[row + kj];
                            }
                        }
                        out[pl * outPlane + y * ow + xo] = s * inv;
                    }
                }
            }
        });
        return Tensor.result(out, new int[] {x.dim(0), x.dim(1), oh, ow}, g -> {
            float[] gx = x.grad();
            Parallel.range(planes, 16, (from, to) -> {
                for (int pl = from; pl < to; pl++) {
                    int base = pl * inPlane;
                    for (int y = 0; y < oh; y++) {
                        for (int xo = 0; xo < ow; xo++) {
                            float share = g[pl * outPlane + y * ow + xo] * inv;
                            for (int ki = 0; ki < kernel; ki++) {
                                int row = base + (y * stride + ki) * w + xo * stride;
                                for (int kj = 0; kj < kernel; kj++) {
                                    gx[row + kj] += share;
                                }
                            }
                        }
                    }
                }
            });
        }, x);
    }

    private static ConvGeometry geometry(Tensor x, int kernel, int stride) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("pooling expects [N, C, H, W], got " + x);
        }
        return new ConvGeometry(x.dim(1), x.dim(2), x.dim(3), kernel, kernel, stride, 0);
    }
}
