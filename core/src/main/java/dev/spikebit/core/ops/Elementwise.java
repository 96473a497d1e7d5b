package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.VectorOps;
import dev.spikebit.core.tensor.Tensor;
import java.util.Arrays;

/** Element-wise arithmetic and whole-tensor reductions, each forward beside its backward. */
public final class Elementwise {
    private Elementwise() {}

    public static Tensor add(Tensor a, Tensor b) {
        requireSameShape(a, b, "add");
        float[] out = new float[a.size()];
        VectorOps.add(a.data(), b.data(), out);
        return Tensor.result(
                out,
                a.shape(),
                g -> {
                    if (a.requiresGrad()) {
                        VectorOps.addInto(a.grad(), g);
                    }
                    if (b.requiresGrad()) {
                        VectorOps.addInto(b.grad(), g);
                    }
                },
                a,
                b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        requireSameShape(a, b, "sub");
        float[] out = new float[a.size()];
        VectorOps.scale(-1f, b.data(), out);
        VectorOps.addInto(out, a.data());
        return Tensor.result(
                out,
                a.shape(),
                g -> {
                    if (a.requiresGrad()) {
                        VectorOps.addInto(a.grad(), g);
                    }
                    if (b.requiresGrad()) {
                        VectorOps.axpy(-1f, g, b.grad());
                    }
                },
                a,
                b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        requireSameShape(a, b, "mul");
        float[] out = new float[a.size()];
        VectorOps.mul(a.data(), b.data(), out);
        return Tensor.result(
                out,
                a.shape(),
                g -> {
                    if (a.requiresGrad()) {
                        VectorOps.mulAddInto(g, b.data(), a.grad());
                    }
                    if (b.requiresGrad()) {
                        VectorOps.mulAddInto(g, a.data(), b.grad());
                    }
                },
                a,
                b);
    }

    /** {@code s * a} for a constant s. */
    public static Tensor scale(Tensor a, float s) {
        float[] out = new float[a.size()];
        VectorOps.scale(s, a.data(), out);
        return Tensor.result(out, a.shape(), g -> VectorOps.axpy(s, g, a.grad()), a);
    }

    /** {@code a + c} for a constant c. */
    public static Tensor addScalar(Tensor a, float c) {
        float[] x = a.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + c;
        }
        return Tensor.result(out, a.shape(), g -> VectorOps.addInto(a.grad(), g), a);
    }

    public static Tensor relu(Tensor a) {
        float[] x = a.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.max(0f, x[i]);
        }
        return Tensor.result(
                out,
                a.shape(),
                g -> {
                    float[] ga = a.grad();
                    for (int i = 0; i < x.length; i++) {
                        if (x[i] > 0f) {
                            ga[i] += g[i];
                        }
                    }
                },
                a);
    }

    /** The sum of all elements, as a scalar tensor. */
    public static Tensor sum(Tensor a) {
        float s = VectorOps.sum(a.data(), 0, a.size());
        return Tensor.result(
                new float[] {s},
                new int[0],
                g -> {
                    float[] ga = a.grad();
                    float gv = g[0];
                    for (int i = 0; i < ga.length; i++) {
                        ga[i] += gv;
                    }
                },
                a);
    }

    /** The mean of all elements, as a scalar tensor. */
    public static Tensor mean(Tensor a) {
        return scale(sum(a), 1f / a.size());
    }

    static void requireSameShape(Tensor a, Tensor b, String op) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(
                    op + ": shapes differ, " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
    }
}
