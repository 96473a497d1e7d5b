package dev.spikebit.core.ops;

/**
 * The sizes of one 2-D convolution or pooling window over {@code [N, C, H, W]} input.
 * Output size follows the usual floor rule: {@code (H + 2 pad - k) / stride + 1}.
 */
public record ConvGeometry(int channels, int height, int width, int kernelH, int kernelW, int stride, int padding) {
    public ConvGeometry {
        if (stride < 1 || padding < 0 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException(
                    "bad window: kernel " + kernelH + "x" + kernelW + ", stride " + stride + ", padding " + padding);
        }
        if (height + 2 * padding < kernelH || width + 2 * padding < kernelW) {
            throw new IllegalArgumentException(
                    "window " + kernelH + "x" + kernelW + " larger than padded input " + height + "x" + width);
        }
    }

    public int outHeight() {
        return (height + 2 * padding - kernelH) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * padding - kernelW) / stride + 1;
    }

    public int outPixels() {
        return outHeight() * outWidth();
    }

    public int inPixels() {
        return height * width;
    }

    /** Rows of the im2col matrix: one per (channel, kernel row, kernel column). */
    public int patchSize() {
        return channels * kernelH * kernelW;
    }
}
