package dev.spikebit.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The blocked transposition against its definition, element by element and bit for bit. */
class BlockTransposeTest {
    @ParameterizedTest
    @CsvSource({
        // rows, cols, extra source stride, extra destination stride, source offset, destination offset
        "196, 64, 0, 0, 0, 0",
        "8, 8, 0, 0, 0, 0",
        "8, 16, 0, 0, 0, 0",
        "24, 40, 2, 3, 5, 9",
        "16, 33, 0, 7, 1, 2",
        "16, 24, 3, 5, 7, 11",
        "7, 9, 0, 1, 2, 3",
        "9, 7, 2, 0, 0, 5",
        "17, 15, 1, 1, 13, 1",
        "1, 33, 0, 0, 4, 0",
        "33, 1, 0, 0, 0, 4",
        "0, 5, 0, 0, 0, 0",
        "5, 0, 0, 0, 0, 0"
    })
    void movesEveryElementToItsTransposedPlace(int rows, int cols, int srcExtra, int dstExtra, int from, int to) {
        var rng = new SplittableRandom(rows * 131L + cols);
        int srcStride = cols + srcExtra;
        int dstStride = rows + dstExtra;
        float[] src = new float[from + rows * srcStride + 3];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rng.nextGaussian();
        }
        // Values whose bits must survive: signed zero, NaN with a payload, a subnormal.
        if (rows > 0 && cols > 2) {
            src[from] = -0f;
            src[from + 1] = Float.intBitsToFloat(0x7fc01234);
            src[from + 2] = Float.MIN_VALUE;
        }
        float[] dst = new float[to + cols * dstStride + 3];
        java.util.Arrays.fill(dst, 42f);
        BlockTranspose.transpose(src, from, srcStride, dst, to, dstStride, rows, cols);
        boolean[] written = new boolean[dst.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int at = to + c * dstStride + r;
                written[at] = true;
                assertThat(Float.floatToRawIntBits(dst[at]))
                        .as("row %d, column %d", r, c)
                        .isEqualTo(Float.floatToRawIntBits(src[from + r * srcStride + c]));
            }
        }
        for (int i = 0; i < dst.length; i++) {
            if (!written[i]) {
                assertThat(dst[i])
                        .as("element %d is not the transposition's", i)
                        .isEqualTo(42f);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void aBlockWithScatteredRowsAndColumnsMovesOrAddsEveryElement(boolean add) {
        var rng = new SplittableRandom(add ? 3 : 4);
        float[] src = new float[500];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rng.nextGaussian();
        }
        // Rows and columns at unequal gaps, as the pixels of a bordered plane; shifts on both sides.
        // A block is ROWS x COLS (8 x 8 with AVX2, 8 x 16 with AVX-512's 16 lanes).
        int rows = BlockTranspose.ROWS;
        int cols = BlockTranspose.COLS;
        int[] rowAt = {0, 37, 80, 81 + 16, 180, 200, 300, 400};
        int[] colAt = new int[cols];
        for (int c = 0, at = 3; c < cols; c++) {
            colAt[c] = at;
            at += rows + 1 + rng.nextInt(20);
        }
        int rowShift = 5;
        int colShift = 7;
        float[] dst = new float[colAt[cols - 1] + colShift + rows + 5];
        for (int i = 0; i < dst.length; i++) {
            dst[i] = (float) rng.nextGaussian();
        }
        float[] before = dst.clone();
        if (add) {
            BlockTranspose.scatteredAdd(src, rowAt, rowShift, dst, colAt, colShift, new float[BlockTranspose.TILE]);
        } else {
            BlockTranspose.scattered(src, rowAt, rowShift, dst, colAt, colShift, new float[BlockTranspose.TILE]);
        }
        boolean[] written = new boolean[dst.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int at = colAt[c] + colShift + r;
                written[at] = true;
                float value = src[rowAt[r] + rowShift + c];
                float want = add ? before[at] + value : value;
                assertThat(Float.floatToRawIntBits(dst[at]))
                        .as("row %d, column %d", r, c)
                        .isEqualTo(Float.floatToRawIntBits(want));
            }
        }
        for (int i = 0; i < dst.length; i++) {
            if (!written[i]) {
                assertThat(dst[i]).as("element %d is not the block's", i).isEqualTo(before[i]);
            }
        }
    }

    @Test
    void theEventForwardWithPartialBlocksMatchesTheDirectSum() {
        // The forward pass of a layer whose output needs whole and partial blocks (O = 13, 5x7 pixels).
        var g = new ConvGeometry(3, 5, 7, 3, 3, 1, 1);
        int outChannels = 13;
        var rng = new SplittableRandom(5);
        int batch = 3;
        float[] x = new float[batch * g.channels() * g.inPixels()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
        }
        float[] w = new float[outChannels * g.patchSize()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        float[] packed = new float[g.patchSize() * SpikeConv.paddedChannels(outChannels)];
        SpikeConv.packWeights(w, outChannels, g, packed);
        float[] y = new float[batch * outChannels * g.outPixels()];
        SpikeConv.forward(g, x, batch, packed, outChannels, y);
        for (int j = 0; j < batch; j++) {
            for (int o = 0; o < outChannels; o++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        double want = 0;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ki = 0; ki < 3; ki++) {
                                for (int kj = 0; kj < 3; kj++) {
                                    int iy = oy - 1 + ki;
                                    int ix = ox - 1 + kj;
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        want += (double) x[((j * g.channels() + c) * g.height() + iy) * g.width() + ix]
                                                * w[((o * g.channels() + c) * 3 + ki) * 3 + kj];
                                    }
                                }
                            }
                        }
                        float got = y[((j * outChannels + o) * g.outHeight() + oy) * g.outWidth() + ox];
                        assertThat((double) got).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-4));
                    }
                }
            }
        }
    }
}
