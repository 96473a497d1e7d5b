package dev.spikebit.data.emulator;

/**
 * Parameters of the {@link DvsEmulator} (docs/methods.md section 6). The defaults imitate how N-MNIST
 * was recorded: the image moves along three saccades of about 100 ms each around a small
 * triangle, and a 28x28 image lands in a 34x34 sensor.
 *
 * @param border          pixels of sensor around the image on each side (3: 28x28 -> 34x34)
 * @param amplitude       size of the saccade triangle in pixels: the image moves between
 *                        {@code -amplitude/2} and {@code +amplitude/2} in x and y
 * @param saccadeMicros   duration of one saccade in microseconds
 * @param stepsPerSaccade how many times per saccade the sensor samples the moving image
 * @param threshold       contrast threshold C: an event fires when the log intensity moved by C
 *                        since the pixel's last event
 * @param thresholdSigma  relative per-pixel mismatch of the threshold: each pixel's ON and OFF
 *                        thresholds are {@code C * (1 + sigma * N(0, 1))}, drawn once from the seed,
 *                        like the fixed mismatch of a real sensor (0 for identical pixels)
 * @param logEpsilon      added to the intensity before the logarithm: the monitor's black level, so
 *                        that black is {@code ln(eps)}, not minus infinity
 * @param seed            seeds the threshold mismatch; the same seed gives the same events
 */
public record EmulatorConfig(
        int border,
        double amplitude,
        long saccadeMicros,
        int stepsPerSaccade,
        double threshold,
        double thresholdSigma,
        double logEpsilon,
        long seed) {

    /** Threshold mismatch never brings a threshold below this. */
    static final double MIN_THRESHOLD = 0.01;

    public EmulatorConfig {
        if (border < 0
                || amplitude < 0
                || amplitude > 2.0 * border + 2
                || saccadeMicros <= 0
                || stepsPerSaccade < 1
                || !(threshold > 0)
                || thresholdSigma < 0
                || !(logEpsilon > 0)) {
            throw new IllegalArgumentException("invalid emulator configuration: border " + border + ", amplitude "
                    + amplitude + ", saccade " + saccadeMicros + " us in " + stepsPerSaccade + " steps, threshold "
                    + threshold + " (sigma " + thresholdSigma + "), eps " + logEpsilon);
        }
    }

    /**
     * The N-MNIST-like default: border 3, a 2-pixel triangle, 3 x 100 ms saccades sampled every
     * 4 ms, threshold 0.2 with 3% mismatch, black level 0.1.
     */
    public static EmulatorConfig nmnistLike(long seed) {
        return new EmulatorConfig(3, 2.0, 100_000, 25, 0.2, 0.03, 0.1, seed);
    }

    public EmulatorConfig withSeed(long newSeed) {
        return new EmulatorConfig(
                border, amplitude, saccadeMicros, stepsPerSaccade, threshold, thresholdSigma, logEpsilon, newSeed);
    }

    /** A stable description for cache keys. */
    public String id() {
        return "border=" + border + ",amplitude=" + amplitude + ",saccade=" + saccadeMicros + "us/" + stepsPerSaccade
                + ",C=" + threshold + ",sigma=" + thresholdSigma + ",eps=" + logEpsilon + ",seed=" + seed;
    }
}
