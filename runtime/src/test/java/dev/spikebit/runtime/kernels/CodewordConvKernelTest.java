package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.runtime.graph.Layer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The codeword-reuse kernel against the definition of docs/s2nn.md 6,
 * {@code b[o] = s_o sum_{c, ky, kx} sign(pattern(indices[o*in+c]), 3 ky + kx) x_pad[...]} summed in
 * double, and against the sign convolution of the written-out signs ({@code toSignConv}): shapes
 * that exercise a single and several bands, a single and several channel chunks, output channels
 * that are not a multiple of four, codebooks of 2 to 256 codewords, strides 1, 2 and 3, paddings
 * 0, 1 and 2, sparse and dense inputs.
 */
class CodewordConvKernelTest {
    /** A layer with random distinct codewords, random indices and random negations. */
    static Layer.CodewordConv randomLayer(SplittableRandom rng, int in, int out, int stride, int padding, int eta) {
        int codewords = 1 << eta;
        int[] ids = new int[512];
        for (int i = 0; i < 512; i++) {
            ids[i] = i;
        }
        for (int i = 511; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        byte[] indices = new byte[out * in];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (byte) rng.nextInt(codewords);
        }
        boolean[] negate = new boolean[out];
        for (int o = 0; o < out; o++) {
            negate[o] = rng.nextBoolean();
        }
        return new Layer.CodewordConv(
                "cw", in, out, stride, padding, eta, Arrays.copyOf(ids, codewords), indices, negate);
    }

    static float[] input(SplittableRandom rng, int n, double density) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() < density ? (float) (rng.nextDouble() * 2 - 0.5) : 0f;
        }
        return x;
    }

    /** The definition, in double. */
    static double[] reference(Layer.CodewordConv c, float[] x, int h, int w) {
        int s = c.stride();
        int p = c.padding();
        int oh = (h + 2 * p - 3) / s + 1;
        int ow = (w + 2 * p - 3) / s + 1;
        double[] y = new double[c.outChannels() * oh * ow];
        for (int o = 0; o < c.outChannels(); o++) {
            double flip = c.negate()[o] ? -1 : 1;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    for (int ch = 0; ch < c.inChannels(); ch++) {
                        int pattern = c.codebook()[c.indices()[o * c.inChannels() + ch] & 0xFF];
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy * s + ky - p;
                                int ix = ox * s + kx - p;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    double sign = (pattern >>> (3 * ky + kx) & 1) != 0 ? 1 : -1;
                                    sum += sign * x[(ch * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = flip * sum;
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "{0}->{1} channels, {2}x{3}, stride {4}, padding {5}, eta {6}, density {7}")
    @CsvSource({
        "64, 64, 14, 14, 1, 1, 4, 0.2", // fmnist-vgg-s's 64 -> 64 layer: one band, three chunks
        "16, 32, 28, 28, 1, 1, 4, 0.3", // its 16 -> 32 layer: four bands
        "3, 10, 7, 9, 1, 1, 1, 1.0", // two codewords, a tail of two output channels
        "5, 17, 11, 6, 2, 1, 3, 0.5", // stride 2
        "2, 9, 8, 8, 2, 0, 8, 0.7", // 256 codewords: one channel per chunk
        "7, 6, 5, 300, 1, 2, 5, 0.4", // wide rows: one row per band, padding 2
        "4, 5, 10, 13, 3, 0, 2, 1.0", // stride 3, no padding
        "1, 1, 3, 3, 1, 0, 6, 1.0"
    }) // one output value
    void matchesTheDefinitionAndTheSignConvolution(
            int in, int out, int h, int w, int stride, int padding, int eta, double density) {
        SplittableRandom rng = new SplittableRandom(in * 131L + out * 7L + eta);
        Layer.CodewordConv layer = randomLayer(rng, in, out, stride, padding, eta);
        float[] x = input(rng, in * h * w, density);
        double[] expected = reference(layer, x, h, w);

        float[] scratch = new float[CodewordConvKernel.scratch(layer, h, w)];
        float[] y = new float[expected.length];
        // Garbage in the output and the scratch must not leak into the result.
        Arrays.fill(y, 7f);
        Arrays.fill(scratch, Float.NaN);
        CodewordConvKernel.dense(layer, CodewordConvKernel.compileMaps(layer), x, 0, h, w, y, 0, scratch);
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) y[i]).as("output %d", i).isCloseTo(expected[i], within(1e-6 * (1 + scale)));
        }

        // The same layer as a sign convolution: the same sums in another order.
        Layer.SignConv signs = layer.toSignConv();
        float[] signScratch = new float[SignConvKernel.denseScratch(signs, h, w)];
        int[] offsets = SignConvKernel.rowTableOffsets(signs, h, w);
        float[] z = new float[expected.length];
        SignConvKernel.dense(signs, x, 0, h, w, z, 0, signScratch, offsets);
        for (int i = 0; i < expected.length; i++) {
            assertThat(y[i]).as("vs sign conv, output %d", i).isCloseTo(z[i], within((float) (1e-6 * (1 + scale))));
        }
    }

    @Test
    void offsetsInTheInputAndOutputArraysAreHonoured() {
        SplittableRandom rng = new SplittableRandom(3);
        Layer.CodewordConv layer = randomLayer(rng, 6, 9, 1, 1, 4);
        int size = 6 * 10 * 10;
        float[] x = input(rng, 3 * size, 0.5);
        float[] out = new float[3 * 9 * 100];
        float[] scratch = new float[CodewordConvKernel.scratch(layer, 10, 10)];
        CodewordConvKernel.dense(layer, CodewordConvKernel.compileMaps(layer), x, size, 10, 10, out, 900, scratch);
        double[] expected = reference(layer, Arrays.copyOfRange(x, size, 2 * size), 10, 10);
        for (int i = 0; i < 900; i++) {
            assertThat(out[i]).isZero();
            assertThat((double) out[900 + i]).isCloseTo(expected[i], within(1e-4));
            assertThat(out[1800 + i]).isZero();
        }
    }

    @Test
    void performsFewerAdditionsThanTheDirectConvolution() {
        // fmnist-vgg-s's 64 -> 64 layer with eta 4, 14 x 14 outputs in one band laid out with the
        // padded row pitch 16: per input channel, the triples of 16 tile rows (6 additions per
        // vector) and 16 maps of 14 rows (2 per vector), for each block of 16 columns; then 64
        // additions per output channel for the 224 lanes rounded up to whole lane groups; against
        // 9 * 64 * 64 per output value direct.
        Layer.CodewordConv layer = randomLayer(new SplittableRandom(1), 64, 64, 1, 1, 4);
        int vector = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        long lanes = (14 * 16 + 2 * vector - 1) / (2 * vector) * (2 * vector);
        long blocks = (14 + vector - 1) / vector;
        long maps = blocks * vector * (6 * 16 + 2 * 16 * 14);
        assertThat(CodewordConvKernel.additions(layer, 14, 14))
                .isEqualTo(64 * maps + 64L * 64 * lanes)
                .isLessThan(9L * 64 * 64 * 14 * 14 / 4);
    }

    @Test
    void theLayerChecksItsCodes() {
        SplittableRandom rng = new SplittableRandom(2);
        Layer.CodewordConv good = randomLayer(rng, 3, 4, 1, 1, 2);
        byte[] outOfRange = good.indices().clone();
        outOfRange[5] = 4;
        assertThatThrownBy(
                        () -> new Layer.CodewordConv("cw", 3, 4, 1, 1, 2, good.codebook(), outOfRange, good.negate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kernel (1, 2) uses codeword 4, but the codebook has 4");
        int[] twice = good.codebook().clone();
        twice[3] = twice[1];
        assertThatThrownBy(() -> new Layer.CodewordConv("cw", 3, 4, 1, 1, 2, twice, good.indices(), good.negate()))
                .hasMessageContaining("appears twice");
        int[] big = good.codebook().clone();
        big[0] = 512;
        assertThatThrownBy(() -> new Layer.CodewordConv("cw", 3, 4, 1, 1, 2, big, good.indices(), good.negate()))
                .hasMessageContaining("pattern 512, expected 0..511");
        assertThatThrownBy(
                        () -> new Layer.CodewordConv("cw", 3, 4, 1, 1, 9, new int[512], good.indices(), good.negate()))
                .hasMessageContaining("eta is 9");
    }
}
