package dev.spikebit.bench;

import dev.spikebit.data.events.BinningMode;
import dev.spikebit.data.events.EventStream;
import dev.spikebit.data.events.FrameBinning;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Binning an event stream into frames ({@code data.events.FrameBinning}, docs/methods.md section 6):
 * 1,000,000 random events on a 128x128 sensor (the DVS128 of DVS128 Gesture and CIFAR10-DVS) with
 * sorted timestamps over about 10 s, into T = 16 frames of two polarity channels, by equal event
 * count and by equal duration, at full size and downsampled to 48x48. The target is under 50 ms
 * per stream; each call writes every count of the {@code [16, 2, H, W]} sample, so the zeroing of
 * the output is included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class EventBinningBench {

    @Param({"1000000"})
    public int events;

    @Param({"EVENT_COUNT", "DURATION"})
    public BinningMode mode;

    @Param({"128", "48"})
    public int size;

    private EventStream stream;
    private FrameBinning binning;
    private float[] frames;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        int[] x = new int[events];
        int[] y = new int[events];
        byte[] p = new byte[events];
        long[] t = new long[events];
        long now = 0;
        for (int i = 0; i < events; i++) {
            x[i] = random.nextInt(128);
            y[i] = random.nextInt(128);
            p[i] = (byte) random.nextInt(2);
            now += random.nextInt(21); // 10 us apart on average, with ties
            t[i] = now;
        }
        stream = new EventStream(x, y, p, t, 128, 128);
        binning = new FrameBinning(16, mode, size, size);
        frames = new float[binning.sampleSize()];
    }

    @Benchmark
    public float[] bin() {
        binning.bin(stream, frames, 0);
        return frames;
    }
}
