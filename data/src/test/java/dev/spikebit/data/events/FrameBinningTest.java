package dev.spikebit.data.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrameBinningTest {

    /** A random stream with sorted timestamps, some of them repeated. */
    static EventStream randomStream(int n, int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] x = new int[n];
        int[] y = new int[n];
        byte[] p = new byte[n];
        long[] t = new long[n];
        long now = 1_000_000;
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(width);
            y[i] = random.nextInt(height);
            p[i] = (byte) random.nextInt(2);
            now += random.nextInt(4) == 0 ? 0 : random.nextInt(1, 50);
            t[i] = now;
        }
        return new EventStream(x, y, p, t, width, height);
    }

    /** The definition, one event at a time, with no shared code. */
    static float[] reference(EventStream s, FrameBinning b) {
        float[] frames = new float[b.sampleSize()];
        int n = s.size();
        long first = n == 0 ? 0 : s.t()[0];
        long span = n == 0 ? 1 : s.t()[n - 1] - first + 1;
        for (int i = 0; i < n; i++) {
            int frame = 0;
            if (b.mode() == BinningMode.EVENT_COUNT) {
                while (frame + 1 < b.timeSteps() && (long) (frame + 1) * n / b.timeSteps() <= i) {
                    frame++;
                }
            } else {
                frame = (int) ((s.t()[i] - first) * b.timeSteps() / span);
            }
            int ox = s.x()[i] * b.width() / s.width();
            int oy = s.y()[i] * b.height() / s.height();
            frames[((frame * 2 + s.polarity()[i]) * b.height() + oy) * b.width() + ox] += 1;
        }
        return frames;
    }

    @Test
    void matchesThePerEventDefinitionInBothModesWithAndWithoutDownsampling() {
        EventStream s = randomStream(20_011, 128, 128, 3);
        for (BinningMode mode : BinningMode.values()) {
            for (int size : new int[] {128, 48, 32}) {
                FrameBinning b = new FrameBinning(7, mode, size, size);
                assertThat(b.bin(s)).as(mode + " " + size).isEqualTo(reference(s, b));
            }
        }
    }

    @Test
    void framesSumToTheNumberOfEventsAndKeepPolaritiesApart() {
        EventStream s = randomStream(10_000, 128, 128, 4);
        float[] frames = new FrameBinning(5, BinningMode.DURATION, 48, 48).bin(s);
        int plane = 48 * 48;
        double on = 0;
        double off = 0;
        for (int f = 0; f < 5; f++) {
            for (int i = 0; i < plane; i++) {
                off += frames[(f * 2) * plane + i];
                on += frames[(f * 2 + 1) * plane + i];
            }
        }
        assertThat(on + off).isEqualTo(s.size());
        assertThat(on).isEqualTo(s.onCount());
    }

    @Test
    void equalCountFramesHoldEqualCounts() {
        EventStream s = randomStream(16_000, 64, 64, 5);
        FrameBinning b = new FrameBinning(16, BinningMode.EVENT_COUNT, 64, 64);
        assertThat(frameTotals(b.bin(s), 16)).containsOnly(1000.0);

        EventStream odd = randomStream(1003, 64, 64, 6);
        double[] totals = frameTotals(b.bin(odd), 16);
        assertThat(Arrays.stream(totals).sum()).isEqualTo(1003);
        assertThat(Arrays.stream(totals).min().orElseThrow()).isEqualTo(62.0); // 1003 / 16 = 62.7
        assertThat(Arrays.stream(totals).max().orElseThrow()).isEqualTo(63.0);
    }

    @Test
    void equalDurationFramesSplitByTime() {
        // four events per 10 us window over 0..39 us, plus counts that differ per window
        long[] t = {0, 1, 9, 10, 19, 20, 21, 22, 23, 39};
        int n = t.length;
        EventStream s = new EventStream(new int[n], new int[n], new byte[n], t, 4, 4);
        FrameBinning b = new FrameBinning(4, BinningMode.DURATION, 4, 4);
        // span = 40 us: windows [0,10) [10,20) [20,30) [30,40)
        assertThat(frameTotals(b.bin(s), 4)).containsExactly(3, 2, 4, 1);
        assertThat(b.frameEdges(s)).containsExactly(0, 3, 5, 9, 10);
    }

    @Test
    void emptyAndTinyStreamsGiveEmptyFrames() {
        FrameBinning b = new FrameBinning(8, BinningMode.DURATION, 10, 10);
        float[] dst = new float[b.sampleSize() + 3];
        Arrays.fill(dst, 9f);
        b.bin(EventStream.empty(10, 10), dst, 3);
        assertThat(Arrays.copyOfRange(dst, 3, dst.length)).containsOnly(0f);
        assertThat(dst[0]).isEqualTo(9f);

        EventStream one = new EventStream(new int[] {2}, new int[] {3}, new byte[] {1}, new long[] {77}, 10, 10);
        // equal count: frame b starts at floor(b * 1 / 8) = 0, so only the last frame is non-empty;
        // equal duration: the single event opens the one-microsecond span, frame 0
        assertThat(frameTotals(new FrameBinning(8, BinningMode.EVENT_COUNT, 10, 10).bin(one), 8))
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(frameTotals(new FrameBinning(8, BinningMode.DURATION, 10, 10).bin(one), 8))
                .containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void downsamplingMapsCoordinatesByIntegerScaling() {
        // 128 -> 48: x' = x * 48 / 128, so 127 -> 47, 3 -> 1, 2 -> 0
        EventStream s = new EventStream(
                new int[] {127, 3, 2}, new int[] {0, 127, 64}, new byte[] {1, 0, 1}, new long[] {1, 2, 3}, 128, 128);
        float[] f = new FrameBinning(1, BinningMode.EVENT_COUNT, 48, 48).bin(s);
        int plane = 48 * 48;
        assertThat(f[plane + 0 * 48 + 47]).isEqualTo(1f);
        assertThat(f[47 * 48 + 1]).isEqualTo(1f);
        assertThat(f[plane + 24 * 48 + 0]).isEqualTo(1f);
        assertThat((double) sum(f)).isCloseTo(3, within(0.0));
    }

    static double[] frameTotals(float[] frames, int timeSteps) {
        int per = frames.length / timeSteps;
        double[] totals = new double[timeSteps];
        for (int f = 0; f < timeSteps; f++) {
            for (int i = 0; i < per; i++) {
                totals[f] += frames[f * per + i];
            }
        }
        return totals;
    }

    private static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}
