package dev.spikebit.data.events;

import static dev.spikebit.data.events.EventFileBytes.aedat31Header;
import static dev.spikebit.data.events.EventFileBytes.aedatHeader;
import static dev.spikebit.data.events.EventFileBytes.concat;
import static dev.spikebit.data.events.EventFileBytes.packetHeader;
import static dev.spikebit.data.events.EventFileBytes.polarityEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AEDAT 3.1 as documented by iniVation (docs.inivation.com, "AEDAT File Formats" / "AEDAT 3.1")
 * and libcaer's {@code events/common.h} (28-byte packet header) and {@code events/polarity.h}
 * (8-byte polarity events).
 */
class Aedat31ReaderTest {

    @TempDir
    Path dir;

    @Test
    void decodesTheExactPolarityEventBytes() throws IOException {
        // data = x 1 << 17 | y 0 << 2 | OFF << 1 | valid = 0x00020001, timestamp 0x01020304, little-endian
        byte[] event = {0x01, 0x00, 0x02, 0x00, 0x04, 0x03, 0x02, 0x01};
        Path file = write("one.aedat", concat(aedat31Header(), packetHeader(1, 8, 4, 0, 1, 1, 1), event));
        EventStream events = Aedat31Reader.read(file, 128, 128);
        assertThat(events.x()).containsExactly(1);
        assertThat(events.y()).containsExactly(0);
        assertThat(events.polarity()).containsExactly(0);
        assertThat(events.t()).containsExactly(0x01020304L);
    }

    @Test
    void readsPolarityPacketsSkipsOtherTypesAndInvalidEventsAndAppliesOverflow() throws IOException {
        byte[] first = concat(
                packetHeader(1, 8, 4, 0, 3, 3, 3),
                polarityEvent(0, 0, 1, true, 10),
                polarityEvent(127, 127, 0, true, 20),
                polarityEvent(64, 5, 1, true, 0x7FFFFFFF));
        // a special-event packet (type 0, 8-byte events) and an IMU6 packet (type 3, 36-byte events)
        byte[] special = concat(packetHeader(0, 8, 4, 0, 2, 2, 2), new byte[16]);
        byte[] imu = concat(packetHeader(3, 36, 4, 0, 1, 1, 1), new byte[36]);
        // eventTSOverflow = 1: timestamps continue past 2^31
        byte[] second = concat(
                packetHeader(1, 8, 4, 1, 3, 3, 2),
                polarityEvent(3, 4, 1, true, 5),
                polarityEvent(9, 9, 1, false, 6),
                polarityEvent(126, 1, 0, true, 7));
        Path file = write("rec.aedat", concat(aedat31Header(), first, special, imu, second));

        EventStream events = Aedat31Reader.read(file, 128, 128);

        long wrap = 1L << 31;
        assertThat(events.t()).containsExactly(10L, 20L, 0x7FFFFFFFL, wrap + 5, wrap + 7);
        assertThat(events.x()).containsExactly(0, 127, 64, 3, 126);
        assertThat(events.y()).containsExactly(0, 127, 5, 4, 1);
        assertThat(events.polarity()).containsExactly(1, 0, 1, 1, 0);
        assertThat(events.t()[4]).isGreaterThan(Integer.MAX_VALUE);
    }

    @Test
    void rejectsAPacketClaimingMoreEventsThanTheFileHolds() throws IOException {
        Path file = write(
                "short.aedat",
                concat(aedat31Header(), packetHeader(1, 8, 4, 0, 1000, 1000, 1000), polarityEvent(1, 1, 1, true, 1)));
        assertThatThrownBy(() -> Aedat31Reader.read(file, 128, 128))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("claims 1000 events of 8 bytes");
    }

    @Test
    void rejectsATruncatedPacketHeader() throws IOException {
        Path file = write("cut.aedat", concat(aedat31Header(), new byte[10]));
        assertThatThrownBy(() -> Aedat31Reader.read(file, 128, 128))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated packet header");
    }

    @Test
    void rejectsAHeaderWithoutEndLine() throws IOException {
        Path file = write(
                "noend.aedat",
                concat(
                        aedatHeader("#!AER-DAT3.1", "#Format: RAW"),
                        packetHeader(1, 8, 4, 0, 1, 1, 1),
                        polarityEvent(1, 1, 1, true, 1)));
        assertThatThrownBy(() -> Aedat31Reader.read(file, 128, 128))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("#!END-HEADER");
    }

    @Test
    void rejectsAnotherVersion() throws IOException {
        Path file = write("v2.aedat", aedatHeader("#!AER-DAT2.0", "#!END-HEADER"));
        assertThatThrownBy(() -> Aedat31Reader.read(file, 128, 128))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("is AEDAT 2.0, expected AEDAT 3.1");
    }

    @Test
    void rejectsEventsOutsideTheSensor() throws IOException {
        Path file = write(
                "big.aedat",
                concat(aedat31Header(), packetHeader(1, 8, 4, 0, 1, 1, 1), polarityEvent(200, 1, 1, true, 1)));
        assertThatThrownBy(() -> Aedat31Reader.read(file, 128, 128))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("(200, 1)");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
