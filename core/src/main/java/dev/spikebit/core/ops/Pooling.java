package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Max and average pooling over {@code [N, C, H, W]} (no padding), each beside its backward. */
public final class Pooling {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Integer lanes of the same count as {@link #F}'s, for the winners' indices. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** 2x2 windows per vector of one input row. */
    private static final int HALF = F.length() / 2;

    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(F, i -> 2 * i % F.length());
    private static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(F, i -> (2 * i + 1) % F.length());
    /** {@code 2 i}: lane i's window starts two inputs after lane i - 1's. */
    private static final IntVector EVEN_OFFSETS = IntVector.zero(I).addIndex(2);

    private Pooling() {}

    /** Max pooling; backward routes each gradient to the input that won (first one on ties). */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride) {
        try (var scope = OpProfiler.time(OpKind.POOLING)) {
            return maxPool2dOp(x, kernel, stride);
        }
    }

    private static Tensor maxPool2dOp(Tensor x, int kernel, int stride) {

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
        return Tensor.result(
                out,
                new int[] {x.dim(0), x.dim(1), oh, ow},
                g -> {
                    // A plane's winners lie in the same plane of the input: one writer per plane.
                    float[] gx = x.grad();
                    Parallel.range(planes, 16, (from, to) -> {
                        for (int i = from * outPlane, end = to * outPlane; i < end; i++) {
                            gx[argmax[i]] += g[i];
                        }
                    });
                },
                x);
    }

    /**
     * The common 2x2, stride 2 window, {@code HALF} outputs per vector: the window's four values
     * (top-left, top-right, bottom-left, bottom-right) are gathered from two rows by fixed even
     * and odd lane shuffles and compared in that order with a strict {@code >}, as the scalar
     * window loop does (the first of equal values wins), keeping the index of the winner. The
     * scalar version branched on every comparison, and on spikes (zero or not at random) half of
     * those branches were mispredicted: it took a ninth of a fmnist-cnn training step.
     */
    private static void maxPlane2x2(
            float[] in, int base, int w, float[] out, int[] argmax, int outBase, int oh, int ow) {
        int planeEnd = outBase + oh * ow;
        for (int y = 0; y < oh; y++) {
            int top = base + 2 * y * w;
            int bottom = top + w;
            int o = outBase + y * ow;
            int xo = 0;
            // Whole vectors, no masks (a mask from indexInRange costs more than the window itself
            // where masks are not native, as with 256-bit vectors): the loads stay inside the two
            // rows; the stores write a whole vector, of which the upper half lands on outputs
            // written later by this loop, so they stop a vector short of the plane's end (the
            // planes after it belong to other threads).
            for (; xo + HALF <= ow && o + xo + F.length() <= planeEnd; xo += HALF) {
                var upper = FloatVector.fromArray(F, in, top + 2 * xo);
                var lower = FloatVector.fromArray(F, in, bottom + 2 * xo);
                var max = upper.rearrange(EVEN_LANES);
                var best = EVEN_OFFSETS.add(top + 2 * xo);
                var candidate = upper.rearrange(ODD_LANES);
                var wins = candidate.compare(VectorOperators.GT, max);
                max = max.blend(candidate, wins);
                best = best.blend(best.add(1), wins.cast(I));
                candidate = lower.rearrange(EVEN_LANES);
                wins = candidate.compare(VectorOperators.GT, max);
                max = max.blend(candidate, wins);
                best = best.blend(EVEN_OFFSETS.add(bottom + 2 * xo), wins.cast(I));
                candidate = lower.rearrange(ODD_LANES);
                wins = candidate.compare(VectorOperators.GT, max);
                max = max.blend(candidate, wins);
                best = best.blend(EVEN_OFFSETS.add(bottom + 2 * xo + 1), wins.cast(I));
                max.intoArray(out, o + xo);
                best.intoArray(argmax, o + xo);
            }
            // The rest of the row one window at a time, in the same order with the same strict >.
            for (; xo < ow; xo++) {
                int at = top + 2 * xo;
                int winner = at;
                if (in[at + 1] > in[winner]) {
                    winner = at + 1;
                }
                if (in[at + w] > in[winner]) {
                    winner = at + w;
                }
                if (in[at + w + 1] > in[winner]) {
                    winner = at + w + 1;
                }
                out[o + xo] = in[winner];
                argmax[o + xo] = winner;
            }
        }
    }

    private static void maxPlane(
            float[] in,
            int base,
            int w,
            int kernel,
            int stride,
            float[] out,
            int[] argmax,
            int outBase,
            int oh,
            int ow) {
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
        try (var scope = OpProfiler.time(OpKind.POOLING)) {
            return avgPool2dOp(x, kernel, stride);
        }
    }

    private static Tensor avgPool2dOp(Tensor x, int kernel, int stride) {

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
        return Tensor.result(
                out,
                new int[] {x.dim(0), x.dim(1), oh, ow},
                g -> {
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
                },
                x);
    }

    private static ConvGeometry geometry(Tensor x, int kernel, int stride) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("pooling expects [N, C, H, W], got " + x);
        }
        return new ConvGeometry(x.dim(1), x.dim(2), x.dim(3), kernel, kernel, stride, 0);
    }
}
