package dev.spikebit.data.events;

import java.util.Arrays;

/**
 * Turns an event stream into T frames of per-pixel event counts, one channel per polarity:
 * a sample of shape {@code [T, 2, height, width]} (docs/methods.md section 6).
 *
 * <p>Channel 0 counts OFF events, channel 1 ON events. Coordinates are scaled by integer
 * arithmetic, {@code x' = x * width / sensorWidth} (and the same for y), so 128 -> 48 sums about
 * 8/3 sensor pixels into each output pixel, and every event lands in exactly one output pixel: the
 * frames of a sample sum to the number of events.
 *
 * <p>{@link BinningMode#EVENT_COUNT}: frame {@code b} holds events {@code [floor(b N / T),
 * floor((b+1) N / T))}, so frame sizes differ by at most one. {@link BinningMode#DURATION}: with
 * {@code D = t_last - t_first + 1} microseconds, an event at {@code t} falls in frame
 * {@code floor((t - t_first) T / D)}: T windows of equal length covering the whole recording.
 *
 * @param timeSteps T, the number of frames
 * @param mode      how the stream is split into frames
 * @param height    output frame height (the sensor's, or smaller to downsample)
 * @param width     output frame width
 */
public record FrameBinning(int timeSteps, BinningMode mode, int height, int width) {

    public static final int CHANNELS = 2;

    public FrameBinning {
        if (timeSteps <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "frames need T, height and width > 0, got T=" + timeSteps + ", " + height + "x" + width);
        }
        if ((long) timeSteps * CHANNELS * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a sample of " + timeSteps + " frames of " + height + "x" + width
                    + " does not fit one float array");
        }
    }

    /** {@code [T, 2, height, width]}. */
    public int[] sampleShape() {
        return new int[] {timeSteps, CHANNELS, height, width};
    }

    /** Floats in one sample: {@code T * 2 * height * width}. */
    public int sampleSize() {
        return timeSteps * CHANNELS * height * width;
    }

    /** A short stable description for cache keys and names, such as {@code T16-count-48x48}. */
    public String id() {
        return "T" + timeSteps + "-" + mode.id() + "-" + height + "x" + width;
    }

    /**
     * Writes the frames of {@code events} into {@code dst[offset .. offset + sampleSize())}, as
     * counts (the previous contents are overwritten).
     */
    public void bin(EventStream events, float[] dst, int offset) {
        int plane = height * width;
        Arrays.fill(dst, offset, offset + sampleSize(), 0f);
        int[] column = scaledCoordinates(events.width(), width, 1);
        int[] rowStart = scaledCoordinates(events.height(), height, width);
        int[] edges = frameEdges(events);
        int[] x = events.x();
        int[] y = events.y();
        byte[] p = events.polarity();
        for (int b = 0; b < timeSteps; b++) {
            int frame = offset + b * CHANNELS * plane;
            for (int i = edges[b], end = edges[b + 1]; i < end; i++) {
                dst[frame + p[i] * plane + rowStart[y[i]] + column[x[i]]] += 1f;
            }
        }
    }

    /** The frames of {@code events} in a new array. */
    public float[] bin(EventStream events) {
        float[] frames = new float[sampleSize()];
        bin(events, frames, 0);
        return frames;
    }

    /**
     * The event index where each frame starts, plus the end: frame {@code b} holds events
     * {@code [edges[b], edges[b+1])}; {@code edges[0] = 0}, {@code edges[T] = N}.
     */
    public int[] frameEdges(EventStream events) {
        int n = events.size();
        int[] edges = new int[timeSteps + 1];
        edges[timeSteps] = n;
        if (mode == BinningMode.EVENT_COUNT) {
            for (int b = 1; b < timeSteps; b++) {
                edges[b] = (int) ((long) b * n / timeSteps);
            }
        } else if (n > 0) {
            long[] t = events.t();
            long first = t[0];
            long span = t[n - 1] - first + 1;
            // An event is in frame >= b iff (t - first) * T >= b * span, i.e. t - first >= ceil(b * span / T).
            for (int b = 1; b < timeSteps; b++) {
                edges[b] = events.firstAtOrAfter(first + Math.ceilDiv(b * span, timeSteps));
            }
        }
        return edges;
    }

    /** {@code out[c] = (c * outSize / inSize) * stride} for every sensor coordinate c. */
    private static int[] scaledCoordinates(int inSize, int outSize, int stride) {
        int[] map = new int[inSize];
        for (int c = 0; c < inSize; c++) {
            map[c] = (int) ((long) c * outSize / inSize) * stride;
        }
        return map;
    }
}
