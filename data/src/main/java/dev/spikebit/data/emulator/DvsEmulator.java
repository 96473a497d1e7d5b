package dev.spikebit.data.emulator;

import dev.spikebit.data.events.EventStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns a grayscale image into the events a DVS would have recorded of it, the way N-MNIST was
 * made (Orchard et al. 2015): the sensor sees the image move along three saccades, and each pixel
 * fires when its log intensity has changed by more than a contrast threshold since its last event
 * (docs/methods.md section 6).
 *
 * <p>The image (values in [0, 1], black background around it) sits in the middle of a sensor
 * {@code border} pixels larger on each side. Its offset follows a triangle of side
 * {@code amplitude}: from {@code (-a, +a)} to {@code (0, -a)} to {@code (+a, +a)} and back, with
 * {@code a = amplitude / 2}, one saccade per edge at constant speed. The sensor samples the moving
 * image {@code stepsPerSaccade} times per saccade with bilinear interpolation (so sub-pixel motion
 * changes intensities smoothly) and computes {@code L = ln(I + eps)} per pixel. Each pixel keeps the
 * log intensity of its last event, the reference {@code R} (at first, the intensity at time 0).
 * While {@code L - R >= C_on} it emits an ON event and raises {@code R} by {@code C_on}; while
 * {@code R - L >= C_off}, an OFF event and lowers {@code R} by {@code C_off}: a large change gives
 * several events. Each event is timestamped where the straight line between the two samples
 * crosses the new reference. {@code C_on} and {@code C_off} are drawn per pixel around the
 * threshold once, from the seed. Nothing else is random: the same configuration and image always
 * give the same stream.
 */
public final class DvsEmulator {

    private final EmulatorConfig config;
    private final int imageHeight;
    private final int imageWidth;
    private final int sensorHeight;
    private final int sensorWidth;
    private final double[] onThreshold;
    private final double[] offThreshold;
    /** Black margin around the image: the border, the largest shift and the interpolation's neighbour. */
    private final int margin;

    public DvsEmulator(EmulatorConfig config, int imageHeight, int imageWidth) {
        if (imageHeight <= 0 || imageWidth <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + imageHeight + "x" + imageWidth);
        }
        this.config = config;
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        this.sensorHeight = imageHeight + 2 * config.border();
        this.sensorWidth = imageWidth + 2 * config.border();
        this.margin = config.border() + (int) Math.ceil(config.amplitude() / 2) + 2;
        int pixels = sensorHeight * sensorWidth;
        this.onThreshold = new double[pixels];
        this.offThreshold = new double[pixels];
        SplittableRandom random = new SplittableRandom(config.seed());
        for (int i = 0; i < pixels; i++) {
            onThreshold[i] = mismatched(random);
            offThreshold[i] = mismatched(random);
        }
    }

    private double mismatched(SplittableRandom random) {
        double c = config.threshold() * (1 + config.thresholdSigma() * random.nextGaussian());
        return Math.max(EmulatorConfig.MIN_THRESHOLD, c);
    }

    public EmulatorConfig config() {
        return config;
    }

    public int sensorHeight() {
        return sensorHeight;
    }

    public int sensorWidth() {
        return sensorWidth;
    }

    /** Total duration of the three saccades in microseconds. */
    public long durationMicros() {
        return 3 * config.saccadeMicros();
    }

    /**
     * The events for the {@code imageHeight x imageWidth} image at {@code image[offset..]}
     * (row-major, values in [0, 1]).
     */
    public EventStream emulate(float[] image, int offset) {
        int pixels = sensorHeight * sensorWidth;
        int steps = 3 * config.stepsPerSaccade();
        double eps = config.logEpsilon();
        double[] padded = padded(image, offset);
        double[] intensity = new double[pixels];
        java.util.Arrays.fill(intensity, Double.NaN); // differs from every sample: all computed at time 0
        double[] previous = new double[pixels];
        double[] now = new double[pixels];
        sampleLog(padded, 0, intensity, previous, eps);
        double[] reference = previous.clone();
        EventBuffer events = new EventBuffer();
        double stepMicros = (double) config.saccadeMicros() / config.stepsPerSaccade();
        for (int k = 1; k <= steps; k++) {
            System.arraycopy(previous, 0, now, 0, pixels);
            sampleLog(padded, (double) k / config.stepsPerSaccade(), intensity, now, eps);
            double t0 = (k - 1) * stepMicros;
            for (int p = 0; p < pixels; p++) {
                double from = previous[p];
                double to = now[p];
                double ref = reference[p];
                while (to - ref >= onThreshold[p]) {
                    ref += onThreshold[p];
                    events.add(
                            p % sensorWidth, p / sensorWidth, EventStream.ON, crossing(t0, stepMicros, from, to, ref));
                }
                while (ref - to >= offThreshold[p]) {
                    ref -= offThreshold[p];
                    events.add(
                            p % sensorWidth, p / sensorWidth, EventStream.OFF, crossing(t0, stepMicros, from, to, ref));
                }
                reference[p] = ref;
            }
            double[] swap = previous;
            previous = now;
            now = swap;
        }
        return events.toStream(sensorWidth, sensorHeight);
    }

    /** The time at which the log intensity, moving linearly from {@code from} to {@code to}, reaches {@code level}. */
    static long crossing(double t0, double step, double from, double to, double level) {
        double fraction = Math.clamp((level - from) / (to - from), 0.0, 1.0);
        return (long) Math.floor(t0 + fraction * step);
    }

    /**
     * {@code ln(I + eps)} of every sensor pixel with the image shifted by the saccade offset at
     * {@code saccades} (0 to 3) saccades into the path, updating {@code logIntensity} where the
     * intensity differs from {@code intensity} (the previous sample). {@code padded} is the image
     * inside a black margin wide enough that the interpolation never needs a bounds check.
     */
    private void sampleLog(double[] padded, double saccades, double[] intensity, double[] logIntensity, double eps) {
        double[] shift = saccadeOffset(config.amplitude(), saccades);
        // sensor pixel (u, v) sees image point (u - border - dx, v - border - dy)
        double sx = -config.border() - shift[0];
        double sy = -config.border() - shift[1];
        int ix = (int) Math.floor(sx);
        int iy = (int) Math.floor(sy);
        double fx = sx - ix;
        double fy = sy - iy;
        double w00 = (1 - fx) * (1 - fy);
        double w01 = fx * (1 - fy);
        double w10 = (1 - fx) * fy;
        double w11 = fx * fy;
        int stride = imageWidth + 2 * margin;
        for (int v = 0; v < sensorHeight; v++) {
            int row = (v + iy + margin) * stride + ix + margin;
            int o = v * sensorWidth;
            for (int u = 0; u < sensorWidth; u++) {
                int i = row + u;
                double value =
                        w00 * padded[i] + w01 * padded[i + 1] + w10 * padded[i + stride] + w11 * padded[i + stride + 1];
                if (value != intensity[o + u]) { // the logarithm is the cost: skip it where nothing changed
                    intensity[o + u] = value;
                    logIntensity[o + u] = Math.log(value + eps);
                }
            }
        }
    }

    /** The image as doubles inside a black margin of {@link #margin} pixels. */
    private double[] padded(float[] image, int offset) {
        int stride = imageWidth + 2 * margin;
        double[] padded = new double[(imageHeight + 2 * margin) * stride];
        for (int y = 0; y < imageHeight; y++) {
            for (int x = 0; x < imageWidth; x++) {
                padded[(y + margin) * stride + x + margin] = image[offset + y * imageWidth + x];
            }
        }
        return padded;
    }

    /**
     * The image offset {@code (dx, dy)} after {@code saccades} (0 to 3) saccades along the
     * triangle {@code (-a, a) -> (0, -a) -> (a, a) -> (-a, a)}, {@code a = amplitude / 2}.
     */
    static double[] saccadeOffset(double amplitude, double saccades) {
        double a = amplitude / 2;
        double[][] corners = {{-a, a}, {0, -a}, {a, a}};
        int edge = Math.min(2, (int) Math.floor(saccades));
        double along = saccades - edge;
        double[] from = corners[edge];
        double[] to = corners[(edge + 1) % 3];
        return new double[] {from[0] + along * (to[0] - from[0]), from[1] + along * (to[1] - from[1])};
    }

    /** Growable event columns. */
    private static final class EventBuffer {
        private int[] x = new int[1024];
        private int[] y = new int[1024];
        private byte[] p = new byte[1024];
        private long[] t = new long[1024];
        private int n;

        void add(int ex, int ey, byte polarity, long time) {
            if (n == t.length) {
                int grown = 2 * n;
                x = Arrays.copyOf(x, grown);
                y = Arrays.copyOf(y, grown);
                p = Arrays.copyOf(p, grown);
                t = Arrays.copyOf(t, grown);
            }
            x[n] = ex;
            y[n] = ey;
            p[n] = polarity;
            t[n] = time;
            n++;
        }

        EventStream toStream(int width, int height) {
            return EventStream.sortedByTime(
                    Arrays.copyOf(x, n), Arrays.copyOf(y, n), Arrays.copyOf(p, n), Arrays.copyOf(t, n), width, height);
        }
    }
}
