package dev.spikebit.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and reduction kernels on flat float arrays: Vector API loops with a scalar tail,
 * split over the shared pool when the arrays are large enough to pay for the hand-off.
 */
public final class VectorOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Below this many elements a loop stays on the calling thread. */
    private static final int PARALLEL_GRAIN = 1 << 16;

    private VectorOps() {}

    /** {@code dst[i] += src[i]}. */
    public static void addInto(float[] dst, float[] src) {
        Parallel.range(dst.length, PARALLEL_GRAIN, (from, to) -> addInto(dst, src, from, to));
    }

    private static void addInto(float[] dst, float[] src, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector.fromArray(S, dst, i)
                    .add(FloatVector.fromArray(S, src, i))
                    .intoArray(dst, i);
        }
        for (; i < to; i++) {
            dst[i] += src[i];
        }
    }

    /** {@code dst[dstOff + i] += src[srcOff + i]} for {@code i < n}. */
    public static void addInto(float[] dst, int dstOff, float[] src, int srcOff, int n) {
        java.util.Objects.checkFromIndexSize(dstOff, n, dst.length);
        java.util.Objects.checkFromIndexSize(srcOff, n, src.length);
        Parallel.range(n, PARALLEL_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, dst, dstOff + i)
                        .add(FloatVector.fromArray(S, src, srcOff + i))
                        .intoArray(dst, dstOff + i);
            }
            for (; i < to; i++) {
                dst[dstOff + i] += src[srcOff + i];
            }
        });
    }

    /** {@code dst[i] += a * src[i]}. */
    public static void axpy(float a, float[] src, float[] dst) {
        Parallel.range(dst.length, PARALLEL_GRAIN, (from, to) -> {
            int i = from;
            FloatVector va = FloatVector.broadcast(S, a);
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, src, i)
                        .fma(va, FloatVector.fromArray(S, dst, i))
                        .intoArray(dst, i);
            }
            for (; i < to; i++) {
                dst[i] += a * src[i];
            }
        });
    }

    /** {@code out[i] = a[i] + b[i]}. */
    public static void add(float[] a, float[] b, float[] out) {
        Parallel.range(out.length, PARALLEL_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, i)
                        .add(FloatVector.fromArray(S, b, i))
                        .intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = a[i] + b[i];
            }
        });
    }

    /** {@code out[i] = a[i] * b[i]}. */
    public static void mul(float[] a, float[] b, float[] out) {
        Parallel.range(out.length, PARALLEL_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, i)
                        .mul(FloatVector.fromArray(S, b, i))
                        .intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = a[i] * b[i];
            }
        });
    }

    /** {@code dst[i] += a[i] * b[i]}. */
    public static void mulAddInto(float[] a, float[] b, float[] dst) {
        Parallel.range(dst.length, PARALLEL_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, i)
                        .fma(FloatVector.fromArray(S, b, i), FloatVector.fromArray(S, dst, i))
                        .intoArray(dst, i);
            }
            for (; i < to; i++) {
                dst[i] += a[i] * b[i];
            }
        });
    }

    /** {@code out[i] = a * x[i]}. */
    public static void scale(float a, float[] x, float[] out) {
        Parallel.range(out.length, PARALLEL_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, i).mul(a).intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = a * x[i];
            }
        });
    }

    /** Sum of {@code x[from, to)}. */
    public static float sum(float[] x, int from, int to) {
        int i = from;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, x, i));
        }
        float s = sumLanes(acc);
        for (; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    /** Dot product of {@code a[aOff, aOff+n)} and {@code b[bOff, bOff+n)}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** Sum of squares of {@code x[from, to)} around {@code center}. */
    public static float sumSquaredDeviation(float[] x, int from, int to, float center) {
        int i = from;
        FloatVector c = FloatVector.broadcast(S, center);
        FloatVector acc = FloatVector.zero(S);
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, i).sub(c);
            acc = d.fma(d, acc);
        }
        float s = sumLanes(acc);
        for (; i < to; i++) {
            float d = x[i] - center;
            s += d * d;
        }
        return s;
    }

    /**
     * The sum of {@code v}'s lanes, first lane to last. Not {@code reduceLanes(ADD)}: the Vector API
     * leaves the order of a floating-point reduction to the implementation, and the interpreted
     * and the JIT-compiled forms add in different orders, so a sum would change at the moment the
     * JIT compiles its caller, a moment that differs from run to run. Training with one seed would
     * then not repeat bit for bit.
     */
    public static float sumLanes(FloatVector v) {
        // Constant lane indices (each lane() a single extract) rather than toArray(), whose array
        // was not always scalar-replaced: batch norm's per-plane sums (tens of thousands per step)
        // spent most of their time there. Java adds left to right, so the order is unchanged.
        return switch (v.length()) {
            case 4 -> v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3);
            case 8 -> v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
            case 16 ->
                v.lane(0)
                        + v.lane(1)
                        + v.lane(2)
                        + v.lane(3)
                        + v.lane(4)
                        + v.lane(5)
                        + v.lane(6)
                        + v.lane(7)
                        + v.lane(8)
                        + v.lane(9)
                        + v.lane(10)
                        + v.lane(11)
                        + v.lane(12)
                        + v.lane(13)
                        + v.lane(14)
                        + v.lane(15);
            default -> {
                float s = v.lane(0);
                for (int i = 1; i < v.length(); i++) {
                    s += v.lane(i);
                }
                yield s;
            }
        };
    }
}
