package dev.spikebit.data.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.data.events.EventStream;
import org.junit.jupiter.api.Test;

class DvsEmulatorTest {

    /** A 28x28 black image with a white square over rows and columns 10..17. */
    static float[] square() {
        float[] image = new float[28 * 28];
        for (int y = 10; y <= 17; y++) {
            for (int x = 10; x <= 17; x++) {
                image[y * 28 + x] = 1f;
            }
        }
        return image;
    }

    @Test
    void aBlankImageGivesNoEvents() {
        DvsEmulator emulator = new DvsEmulator(EmulatorConfig.nmnistLike(1), 28, 28);
        EventStream events = emulator.emulate(new float[28 * 28], 0);
        assertThat(events.size()).isZero();
        assertThat(events.width()).isEqualTo(34);
        assertThat(events.height()).isEqualTo(34);
    }

    @Test
    void aBrightSquareFiresOnAndOffEventsAlongItsEdgesOnly() {
        DvsEmulator emulator = new DvsEmulator(EmulatorConfig.nmnistLike(2), 28, 28);
        EventStream events = emulator.emulate(square(), 0);
        assertThat(events.onCount()).isGreaterThan(50);
        assertThat(events.size() - events.onCount()).isGreaterThan(50);
        // The square covers sensor pixels 13..20 at rest and moves by at most 1 pixel; with the
        // bilinear neighbour, a pixel's value can change only if it sees both the square and the
        // background at some time: both coordinates in 11..21, and not both in 14..18.
        for (int i = 0; i < events.size(); i++) {
            int u = events.x()[i];
            int v = events.y()[i];
            assertThat(u).as("event %d column", i).isBetween(11, 21);
            assertThat(v).as("event %d row", i).isBetween(11, 21);
            assertThat(u >= 14 && u <= 18 && v >= 14 && v <= 18)
                    .as("event %d inside the square", i)
                    .isFalse();
            assertThat(events.t()[i]).isBetween(0L, emulator.durationMicros() - 1);
        }
    }

    @Test
    void withoutMismatchEveryPixelEndsWithAsManyOnAsOffEvents() {
        EmulatorConfig exact = new EmulatorConfig(3, 2.0, 100_000, 25, 0.2, 0.0, 0.1, 0);
        EventStream events = new DvsEmulator(exact, 28, 28).emulate(square(), 0);
        int[] balance = new int[34 * 34];
        for (int i = 0; i < events.size(); i++) {
            balance[events.y()[i] * 34 + events.x()[i]] += events.polarity()[i] == EventStream.ON ? 1 : -1;
        }
        // the path returns to its start, so each log intensity returns too
        assertThat(balance).containsOnly(0);
        assertThat(events.size()).isGreaterThan(100);
    }

    @Test
    void theSameSeedGivesTheSameStreamAndAnotherSeedAnother() {
        float[] image = new float[28 * 28];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) Math.abs(Math.sin(i * 0.37));
        }
        EventStream a = new DvsEmulator(EmulatorConfig.nmnistLike(42), 28, 28).emulate(image, 0);
        EventStream b = new DvsEmulator(EmulatorConfig.nmnistLike(42), 28, 28).emulate(image, 0);
        EventStream c = new DvsEmulator(EmulatorConfig.nmnistLike(43), 28, 28).emulate(image, 0);
        assertThat(a.size()).isGreaterThan(1000);
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void eventsAreTimedWhereTheLogIntensityCrossesTheirLevel() {
        // between samples at 1000 us and 1300 us the log intensity goes 0 -> 0.6 (or back):
        // levels 0.2, 0.4, 0.6 are crossed at 1/3, 2/3 and 3/3 of the step
        assertThat(DvsEmulator.crossing(1000, 300, 0, 0.6, 0.2)).isEqualTo(1100);
        assertThat(DvsEmulator.crossing(1000, 300, 0, 0.6, 0.4)).isEqualTo(1200);
        assertThat(DvsEmulator.crossing(1000, 300, 0, 0.6, 0.6)).isEqualTo(1300);
        assertThat(DvsEmulator.crossing(1000, 300, 0.6, 0, 0.45)).isEqualTo(1075);
    }

    @Test
    void withoutMotionNothingFires() {
        EmulatorConfig still = new EmulatorConfig(3, 0.0, 100_000, 25, 0.2, 0.03, 0.1, 0);
        assertThat(new DvsEmulator(still, 28, 28).emulate(square(), 0).size()).isZero();
    }

    @Test
    void theSaccadesFollowTheTriangle() {
        assertThat(DvsEmulator.saccadeOffset(2, 0)).containsExactly(-1, 1);
        assertThat(DvsEmulator.saccadeOffset(2, 1)).containsExactly(0, -1);
        assertThat(DvsEmulator.saccadeOffset(2, 2)).containsExactly(1, 1);
        assertThat(DvsEmulator.saccadeOffset(2, 3)).containsExactly(-1, 1);
        double[] half = DvsEmulator.saccadeOffset(2, 0.5);
        assertThat(half[0]).isCloseTo(-0.5, within(1e-12));
        assertThat(half[1]).isCloseTo(0.0, within(1e-12));
    }
}
