package dev.spikebit.data.events;

import static dev.spikebit.data.events.EventFileBytes.aedatHeader;
import static dev.spikebit.data.events.EventFileBytes.concat;
import static dev.spikebit.data.events.EventFileBytes.dvs128Event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AEDAT 2.0 as documented by iniVation (docs.inivation.com, "AEDAT File Formats" / "AEDAT 2.0":
 * {@code #} header lines, then big-endian 32-bit address and 32-bit timestamp per event) with the
 * jAER DVS128 address layout, oriented as SpikingJelly's and tonic's CIFAR10-DVS loaders do.
 */
class Aedat2ReaderTest {

    @TempDir
    Path dir;

    private static byte[] header() {
        return aedatHeader(
                "#!AER-DAT2.0",
                "# This is a raw AE data file - do not edit",
                "# Data format is int32 address, int32 timestamp (8 bytes total), repeated for each event",
                "# Timestamps tick is 1 us",
                "# created Thu Jan 01 00:00:00 CET 2016");
    }

    @Test
    void decodesTheExactBytesIntoTheLoadersOrientation() throws IOException {
        // address 0x0000_0503: row 5, column 1, polarity bit 1 (OFF); timestamp 0x00010203
        byte[] event = {0x00, 0x00, 0x05, 0x03, 0x00, 0x01, 0x02, 0x03};
        EventStream events = Aedat2Reader.read(write("one.aedat", concat(header(), event)));
        assertThat(events.x()).containsExactly(127 - 5);
        assertThat(events.y()).containsExactly(127 - 1);
        assertThat(events.polarity()).containsExactly(0);
        assertThat(events.t()).containsExactly(0x010203L);
        assertThat(events.width()).isEqualTo(128);
    }

    @Test
    void roundTripsCornersPolaritiesSkipsExternalEventsAndUnwrapsTime() throws IOException {
        Path file = write(
                "rec.aedat",
                concat(
                        header(),
                        dvs128Event(0, 0, 0, false, 1_000),
                        dvs128Event(127, 127, 1, false, 2_000),
                        dvs128Event(10, 20, 0, true, 2_500),
                        dvs128Event(127, 0, 1, false, 0xFFFF_FFF0L),
                        dvs128Event(0, 127, 0, false, 0x10L)));
        EventStream events = Aedat2Reader.read(file);
        assertThat(events.x()).containsExactly(127, 0, 127, 0);
        assertThat(events.y()).containsExactly(127, 0, 0, 127);
        assertThat(events.polarity()).containsExactly(1, 0, 0, 1);
        assertThat(events.t()).containsExactly(1_000L, 2_000L, 0xFFFF_FFF0L, (1L << 32) + 0x10);
    }

    @Test
    void rejectsATrailingPartialEvent() throws IOException {
        Path file = write("cut.aedat", concat(header(), dvs128Event(1, 1, 0, false, 5), new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Aedat2Reader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a multiple of 8");
    }

    @Test
    void rejectsAFileWithoutVersionHeader() throws IOException {
        Path file = write("raw.aedat", dvs128Event(1, 1, 0, false, 5));
        assertThatThrownBy(() -> Aedat2Reader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("#!AER-DAT2.0");
    }

    @Test
    void rejectsAddressesOfAnotherSensor() throws IOException {
        byte[] davis = {0x12, 0x34, 0x00, 0x00, 0, 0, 0, 1};
        Path file = write("davis.aedat", concat(header(), davis));
        assertThatThrownBy(() -> Aedat2Reader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not a DVS128 address");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
