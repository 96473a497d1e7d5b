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
        Parallel.range(planes, 16, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int base = pl * inPlane;
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        int best = base + (y * stride) * geo.width() + xo * stride;
                        float max = in[best];
                        for (int ki = 0; ki < kernel; ki++) {
                            int row = base + (y * stride + ki) * geo.width() + xo * stride;
                            for (int kj = 0; kj < kernel; kj++) {
                                if (in[row + kj] > max) {
                                    max = in[row + kj];
                                    best = row + kj;
                                }
                            }
                        }
                        int o = pl * outPlane + y * ow + xo;
                        out[o] = max;
                        argmax[o] = best;
                    }
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
