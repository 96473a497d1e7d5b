package dev.spikebit.data.events;

import static dev.spikebit.data.events.EventFileBytes.atisEvent;
import static dev.spikebit.data.events.EventFileBytes.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ATIS .bin as documented by Orchard et al. (garrickorchard.com/datasets/n-mnist, "file format"):
 * 40-bit events, x (8 bits), y (8 bits), polarity (1 bit), timestamp (23 bits, microseconds); the
 * overflow marker (y = 240) follows the authors' Python reader gorchard/event-Python.
 */
class AtisBinReaderTest {

    @TempDir
    Path dir;

    @Test
    void decodesTheExactByteLayout() throws IOException {
        // x = 33, y = 0, ON, t = 0x7FFFFF (all 23 bits); then x = 0, y = 33, OFF, t = 0x010203.
        Path file = write(
                "a.bin", new byte[] {0x21, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00, 0x21, 0x01, 0x02, 0x03});
        // sorted by time: the second event (t = 0x010203) comes first
        EventStream events = AtisBinReader.read(file, 34, 34);
        assertThat(events.x()).containsExactly(0, 33);
        assertThat(events.y()).containsExactly(33, 0);
        assertThat(events.polarity()).containsExactly(0, 1);
        assertThat(events.t()).containsExactly(0x010203L, 0x7FFFFFL);
    }

    @Test
    void roundTripsEventsOverTheWholeRange() throws IOException {
        int n = 500;
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int[] x = new int[n];
        int[] y = new int[n];
        byte[] p = new byte[n];
        long[] t = new long[n];
        byte[][] records = new byte[n][];
        for (int i = 0; i < n; i++) {
            x[i] = i == 0 ? 0 : i == 1 ? 33 : random.nextInt(34);
            y[i] = i == 0 ? 33 : i == 1 ? 0 : random.nextInt(34);
            p[i] = (byte) random.nextInt(2);
            t[i] = i == n - 1 ? (1 << 23) - 1 : (long) i * ((1 << 23) / n);
            records[i] = atisEvent(x[i], y[i], p[i], (int) t[i]);
        }
        EventStream events = AtisBinReader.read(write("b.bin", concat(records)), 34, 34);
        assertThat(events).isEqualTo(new EventStream(x, y, p, t, 34, 34));
    }

    @Test
    void overflowMarkersAreDroppedAndShiftLaterTimestamps() throws IOException {
        Path file = write(
                "c.bin",
                concat(
                        atisEvent(1, 2, 1, 100),
                        atisEvent(0, 240, 0, 0),
                        atisEvent(3, 4, 0, 50),
                        atisEvent(0, 240, 0, 0),
                        atisEvent(5, 6, 1, 10)));
        EventStream events = AtisBinReader.read(file, 34, 34);
        assertThat(events.t()).containsExactly(100L, 50L + 8192, 10L + 2 * 8192);
        assertThat(events.x()).containsExactly(1, 3, 5);
    }

    @Test
    void rejectsALengthThatIsNotWholeEvents() throws IOException {
        Path file = write("bad.bin", concat(atisEvent(1, 1, 1, 1), new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> AtisBinReader.read(file, 34, 34))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a multiple of 5");
    }

    @Test
    void rejectsEventsOutsideTheSensor() throws IOException {
        Path file = write("wide.bin", atisEvent(34, 0, 1, 1));
        assertThatThrownBy(() -> AtisBinReader.read(file, 34, 34))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("(34, 0)");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
