package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Workspace;
import java.util.Arrays;

/**
 * The output gradient of a stride-1 convolution laid out for kernels that walk it from the input
 * side: {@code [N][rows][cols][oPad]}, output channels last (padded with zeros to whole vectors),
 * each image's output plane inside a border of zeros wide enough that every (input pixel, kernel
 * tap) pair lands on a valid position. An input at {@code (iy, ix)} reaches the output gradient
 * through tap {@code (ki, kj)} at {@link #position}{@code (iy, ix) - (ki * cols + kj) * oPad}; taps
 * that fall outside the output plane read the border's zeros, so the kernels need no bounds checks.
 *
 * <p>Output {@code (oy, ox)} sits at padded row {@code oy + top}, column {@code ox + left}. An input
 * at {@code iy} reaches output rows {@code iy + padding - ki}, so the border above is
 * {@code kh - 1 - padding} rows (or none) and the plane extends to row {@code iy + padding + top}
 * of the last input row.
 */
record BorderedGradient(
        ConvGeometry geometry, int outChannels, int paddedChannels, int top, int left, int rows, int cols) {

    /** The layout for {@code geometry} (stride 1) with {@code outChannels} padded to {@code paddedChannels}. */
    static BorderedGradient of(ConvGeometry g, int outChannels, int paddedChannels) {
        if (g.stride() != 1) {
            throw new IllegalArgumentException("a bordered gradient needs stride 1, got " + g.stride());
        }
        int top = Math.max(0, g.kernelH() - 1 - g.padding());
        int left = Math.max(0, g.kernelW() - 1 - g.padding());
        int rows = top + Math.max(g.outHeight(), g.height() + g.padding());
        int cols = left + Math.max(g.outWidth(), g.width() + g.padding());
        return new BorderedGradient(g, outChannels, paddedChannels, top, left, rows, cols);
    }

    /** Floats per image. */
    int imageSize() {
        return rows * cols * paddedChannels;
    }

    /** Where tap {@code (0, 0)} of the input at {@code (iy, ix)} reads, relative to its image. */
    int position(int iy, int ix) {
        int p = geometry.padding();
        return ((iy + p + top) * cols + ix + p + left) * paddedChannels;
    }

    /** How far tap {@code (ki, kj)} reads before tap {@code (0, 0)}. */
    int tapOffset(int ki, int kj) {
        return (ki * cols + kj) * paddedChannels;
    }

    /**
     * Lays out image {@code image} of the gradient {@code gy [N, O, OH, OW]} in {@code out} from 0 (at
     * least {@link #imageSize()} floats), the border's zeros included. The image goes channels last
     * into a scratch array in blocks ({@link BlockTranspose}: whole blocks, since the image's
     * pixels are consecutive there), then row by row into the bordered layout: moving one float at a
     * time, each load from a different output channel's plane, took a third longer (docs/performance.md).
     */
    void fillImage(float[] gy, int image, float[] out) {
        int oh = geometry.outHeight();
        int ow = geometry.outWidth();
        int outPixels = oh * ow;
        int oPad = paddedChannels;
        int rowSize = cols * oPad;
        float[] channelsLast = Workspace.get(Workspace.Slot.GRADIENT_IMAGE, outPixels * oPad);
        BlockTranspose.transpose(
                gy, image * outChannels * outPixels, outPixels, channelsLast, 0, oPad, outChannels, outPixels);
        if (outChannels < oPad) {
            for (int q = 0; q < outPixels; q++) {
                Arrays.fill(channelsLast, q * oPad + outChannels, (q + 1) * oPad, 0f);
            }
        }
        Arrays.fill(out, 0, top * rowSize, 0f);
        Arrays.fill(out, (top + oh) * rowSize, rows * rowSize, 0f);
        for (int oy = 0; oy < oh; oy++) {
            int row = (top + oy) * rowSize;
            Arrays.fill(out, row, row + left * oPad, 0f);
            System.arraycopy(channelsLast, oy * ow * oPad, out, row + left * oPad, ow * oPad);
            Arrays.fill(out, row + (left + ow) * oPad, row + rowSize, 0f);
        }
    }
}
