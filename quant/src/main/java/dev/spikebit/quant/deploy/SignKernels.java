package dev.spikebit.quant.deploy;

import dev.spikebit.core.kernels.Parallel;

/**
 * The kernels of the sign layers of the reference executor: {@code b = sign(W) * x} with
 * additions and subtractions only, each packed bit choosing whether an input is added or
 * subtracted (methods.md 2). Plain loops; the runtime module has the fast ones.
 */
final class SignKernels {
    private SignKernels() {
    }

    /**
     * {@code b = sign(W) * x} for a convolution: for every (output channel, input channel,
     * kernel row, kernel column) the sign bit chooses whether the shifted input plane is added
     * to or subtracted from the output plane.
     */
    static float[] conv(DeployedNode.SignConv c, float[] x, int[] in, int batch) {
        int inC = c.inChannels();
        int outC = c.outChannels();
        int h = in[1];
        int w = in[2];
        int k = c.kernel();
        int s = c.stride();
        int p = c.padding();
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        int inSize = inC * h * w;
        int outPlane = oh * ow;
        PackedSigns signs = c.signs();
        float[] out = new float[batch * outC * outPlane];
        Parallel.range(batch * outC, 4, (from, to) -> {
            for (int job = from; job < to; job++) {
                int n = job / outC;
                int o = job % outC;
                int outBase = (n * outC + o) * outPlane;
                for (int ci = 0; ci < inC; ci++) {
                    int inBase = n * inSize + ci * h * w;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            boolean plus = signs.isPositive(o, (ci * k + ky) * k + kx);
                            // Output columns whose input column ox*s + kx - p lies inside the image.
                            int oxFrom = Math.max(0, ceilDiv(p - kx, s));
                            int oxTo = Math.min(ow, floorDiv(w - 1 + p - kx, s) + 1);
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy * s + ky - p;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                int dst = outBase + oy * ow;
                                int src = inBase + iy * w + kx - p;
                                if (plus) {
                                    for (int ox = oxFrom; ox < oxTo; ox++) {
                                        out[dst + ox] += x[src + ox * s];
                                    }
                                } else {
                                    for (int ox = oxFrom; ox < oxTo; ox++) {
                                        out[dst + ox] -= x[src + ox * s];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return out;
    }

    /** {@code b = sign(W) x} for a fully connected layer: each input is added or subtracted by its bit. */
    static float[] linear(DeployedNode.SignLinear l, float[] x, int batch) {
        int in = l.inFeatures();
        int outF = l.outFeatures();
        PackedSigns signs = l.signs();
        byte[] bits = signs.bits();
        int rowBytes = signs.rowBytes();
        float[] out = new float[batch * outF];
        Parallel.range(batch * outF, 16, (from, to) -> {
            for (int job = from; job < to; job++) {
                int n = job / outF;
                int o = job % outF;
                int xBase = n * in;
                int rowBase = o * rowBytes;
                float acc = 0f;
                for (int j = 0; j < in; j++) {
                    if ((bits[rowBase + (j >>> 3)] >>> (j & 7) & 1) != 0) {
                        acc += x[xBase + j];
                    } else {
                        acc -= x[xBase + j];
                    }
                }
                out[job] = acc;
            }
        });
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static int floorDiv(int a, int b) {
        return Math.floorDiv(a, b);
    }
}
