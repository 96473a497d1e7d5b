package dev.spikebit.data.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventStreamTest {

    @Test
    void sortingByTimeIsStableForBothKeyWidths() {
        int[] x = {0, 1, 2, 3, 4};
        byte[] p = {1, 0, 1, 0, 1};
        for (long base : new long[] {5, 1L << 40}) {
            // the second case spans more than 2^32 us and takes the boxed path
            long[] t = {base + 9, 5, base + 3, 5, base + 3};
            EventStream s = EventStream.sortedByTime(x.clone(), new int[5], p.clone(), t, 5, 1);
            assertThat(s.t()).containsExactly(5, 5, base + 3, base + 3, base + 9);
            assertThat(s.x()).containsExactly(1, 3, 2, 4, 0);
            assertThat(s.polarity()).containsExactly(0, 0, 1, 1, 1);
        }
    }

    @Test
    void timeWindowsAreHalfOpen() {
        long[] t = {10, 20, 20, 30, 40};
        EventStream s = new EventStream(new int[5], new int[5], new byte[5], t, 1, 1);
        assertThat(s.between(20, 40).t()).containsExactly(20, 20, 30);
        assertThat(s.between(0, 10).size()).isZero();
        assertThat(s.between(41, 99).size()).isZero();
    }

    @Test
    void theConstructorChecksTheInvariants() {
        assertThatThrownBy(() -> new EventStream(new int[] {2}, new int[] {0}, new byte[] {1}, new long[] {0}, 2, 2))
                .hasMessageContaining("outside the 2x2 sensor");
        assertThatThrownBy(() -> new EventStream(new int[2], new int[2], new byte[2], new long[] {5, 4}, 2, 2))
                .hasMessageContaining("not sorted");
        assertThatThrownBy(() -> new EventStream(new int[1], new int[1], new byte[] {2}, new long[1], 2, 2))
                .hasMessageContaining("polarity");
    }
}
