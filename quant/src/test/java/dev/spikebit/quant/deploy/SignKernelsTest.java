package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.ops.LinearOp;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.runtime.graph.PackedSigns;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The add/subtract kernels of the reference executor against products with +-1 float weights. */
class SignKernelsTest {

    @ParameterizedTest(name = "k{0} s{1} p{2}, {3}x{4}")
    @CsvSource({"3, 1, 1, 7, 7", "3, 2, 1, 8, 6", "5, 2, 2, 9, 9", "1, 1, 0, 4, 5", "3, 1, 0, 5, 5"})
    void signConvEqualsAConvolutionWithPlusMinusOneWeights(int k, int stride, int padding, int h, int w) {
        var rng = new SplittableRandom(k * 100 + stride * 10 + padding);
        int in = 3;
        int out = 4;
        float[] weights = randomSigns(rng, out * in * k * k);
        PackedSigns signs = PackedSigns.pack(weights, out, in * k * k, null);
        var node = new DeployedNode.SignConv("c", in, out, k, stride, padding, signs);
        int batch = 2;
        // Spikes (0/1): every sum is a small integer, exact in any order.
        float[] spikes = new float[batch * in * h * w];
        for (int i = 0; i < spikes.length; i++) {
            spikes[i] = rng.nextInt(3) == 0 ? 1f : 0f;
        }
        float[] expected = Conv2dOp.conv2d(
                        Tensor.of(spikes, batch, in, h, w), Tensor.of(weights, out, in, k, k), null, stride, padding)
                .data();
        assertThat(SignKernels.conv(node, spikes, new int[] {in, h, w}, batch)).containsExactly(expected);
        // Real values: equal up to summation order.
        float[] real = new float[spikes.length];
        for (int i = 0; i < real.length; i++) {
            real[i] = (float) rng.nextGaussian();
        }
        float[] expectedReal = Conv2dOp.conv2d(
                        Tensor.of(real, batch, in, h, w), Tensor.of(weights, out, in, k, k), null, stride, padding)
                .data();
        float[] actual = SignKernels.conv(node, real, new int[] {in, h, w}, batch);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).isCloseTo(expectedReal[i], within(1e-5f));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"9, 3", "64, 5", "100, 7"})
    void signLinearEqualsAProductWithPlusMinusOneWeights(int in, int out) {
        var rng = new SplittableRandom(in);
        float[] weights = randomSigns(rng, out * in);
        var node = new DeployedNode.SignLinear("l", in, out, PackedSigns.pack(weights, out, in, null));
        float[] x = new float[3 * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(2);
        }
        float[] expected = LinearOp.linear(Tensor.of(x, 3, in), Tensor.of(weights, out, in), null)
                .data();
        assertThat(SignKernels.linear(node, x, 3)).containsExactly(expected);
    }

    @ParameterizedTest(name = "row length {0}")
    @CsvSource({"1", "8", "9", "17"})
    void packingStoresBitOneForPlusOneLeastSignificantBitFirstWithRowsOnByteBoundaries(int rowLength) {
        var rng = new SplittableRandom(rowLength);
        float[] w = new float[2 * rowLength];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        w[0] = 0f; // sign(0) = +1
        PackedSigns p = PackedSigns.pack(w, 2, rowLength, new boolean[] {false, true});
        int rowBytes = (rowLength + 7) / 8;
        assertThat(p.bits()).hasSize(2 * rowBytes);
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < rowLength; j++) {
                boolean plus = (w[r * rowLength + j] >= 0) != (r == 1);
                int bit = p.bits()[r * rowBytes + j / 8] >> (j % 8) & 1;
                assertThat(bit).isEqualTo(plus ? 1 : 0);
                assertThat(p.sign(r, j)).isEqualTo(plus ? 1f : -1f);
            }
        }
        assertThat(p.isPositive(0, 0)).isTrue();
        assertThat(p.firstRowWithPaddingSet()).isEqualTo(-1);
    }

    private static float[] randomSigns(SplittableRandom rng, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = rng.nextBoolean() ? 1f : -1f;
        }
        return w;
    }
}
