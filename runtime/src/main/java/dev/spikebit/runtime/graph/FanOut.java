package dev.spikebit.runtime.graph;

import java.util.Arrays;

/**
 * How many weights each input value of a weight layer meets (docs/methods.md 4): the operations
 * an input value costs when it is counted. Padding taps meet no input, so they cost nothing.
 * Shared by the runtime's counters and the training side's report, so both count alike.
 */
public final class FanOut {
    private FanOut() {}

    /**
     * For a convolution from {@code in = [C, H, W]} to {@code out = [outChannels, OH, OW]}: input
     * pixel (y, x) of any channel meets the weights of every output position whose window covers
     * it, times the output channels.
     */
    public static int[] conv(int[] in, int[] out, int outChannels, int kernel, int stride, int padding) {
        int[] rows = cover(in[1], out[1], kernel, stride, padding);
        int[] cols = cover(in[2], out[2], kernel, stride, padding);
        int[] fan = new int[in[0] * in[1] * in[2]];
        for (int c = 0; c < in[0]; c++) {
            for (int y = 0; y < in[1]; y++) {
                for (int x = 0; x < in[2]; x++) {
                    fan[(c * in[1] + y) * in[2] + x] = outChannels * rows[y] * cols[x];
                }
            }
        }
        return fan;
    }

    /** For a fully connected layer: each of the {@code in} inputs meets all {@code out} weights of its column. */
    public static int[] linear(int in, int out) {
        int[] fan = new int[in];
        Arrays.fill(fan, out);
        return fan;
    }

    /** For each input index along one axis, the number of output indices whose window contains it. */
    private static int[] cover(int size, int outSize, int kernel, int stride, int padding) {
        int[] count = new int[size];
        for (int o = 0; o < outSize; o++) {
            for (int k = 0; k < kernel; k++) {
                int i = o * stride - padding + k;
                if (i >= 0 && i < size) {
                    count[i]++;
                }
            }
        }
        return count;
    }
}
