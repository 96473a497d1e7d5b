package dev.spikebit.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.ops.Elementwise;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The pool lends a released array again, zeroed when asked, keeps arrays apart by length, and a
 * graph's gradients are exact whatever garbage the pool held before (reshapes that hand their
 * gradient to their input included).
 */
class RecycledArraysTest {
    @Test
    void releasedArraysAreLentAgainByLength() {
        int length = 12_345;
        float[] a = new float[length];
        Arrays.fill(a, 7f);
        RecycledArrays.release(a);
        assertThat(RecycledArrays.take(length + 1)).isNotSameAs(a);
        float[] again = RecycledArrays.takeZeroed(length);
        assertThat(again).isSameAs(a);
        assertThat(again).containsOnly(0f);
        // Small arrays are not pooled: allocating them is cheaper.
        float[] small = new float[16];
        RecycledArrays.release(small);
        assertThat(RecycledArrays.take(16)).isNotSameAs(small);
    }

    @Test
    void gradientsAreExactWithGarbageInThePool() {
        int n = 8192;
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (i % 13) - 6;
        }
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 4; k++) {
                float[] dirty = new float[n];
                Arrays.fill(dirty, Float.NaN);
                RecycledArrays.release(dirty);
            }
            Tensor x = Tensor.of(xs.clone(), 2, n / 2).requiresGrad(true);
            Tensor flat = x.reshape(n);
            Tensor z = Elementwise.add(Elementwise.mul(flat, flat), x.reshape(n));
            Elementwise.sum(z).backward();
            float[] g = x.grad();
            for (int i = 0; i < n; i++) {
                assertThat(g[i]).isEqualTo(2 * xs[i] + 1);
            }
        }
    }
}
