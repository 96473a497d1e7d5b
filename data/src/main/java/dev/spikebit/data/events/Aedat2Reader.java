package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads the DVS128 events of an AEDAT 2.0 file, the format of CIFAR10-DVS (iniVation/jAER,
 * "AEDAT 2.0"; docs/methods.md section 6).
 *
 * <p>After the {@code #} header lines (the first is {@code #!AER-DAT2.0}; 2.0 has no end line)
 * every event is 8 bytes, big-endian: a 32-bit address and a 32-bit timestamp in microseconds
 * (unsigned; a wrap past 2^32 is unrolled). The DVS128 address holds the polarity bit in bit 0,
 * the sensor column in bits 1-7, the row in bits 8-14, and marks external (non-pixel) events with
 * bit 15; those are skipped.
 *
 * <p>Orientation: CIFAR10-DVS was recorded with the sensor turned, so its images come out upright
 * only after swapping and mirroring the axes. Like SpikingJelly's and tonic's CIFAR10-DVS loaders
 * (which settled this in jackd/events-tfds#1), this reader returns {@code x = 127 - row},
 * {@code y = 127 - column} and ON for an address polarity bit of 0 (jAER's DVS128 convention,
 * where bit 0 set means OFF). Frames built from these events match those loaders pixel for pixel.
 */
public final class Aedat2Reader {

    public static final String VERSION = "2.0";
    public static final int EVENT_BYTES = 8;
    public static final int DVS128_SIZE = 128;
    /** Address bit 15: an external input event, not a pixel. */
    static final int EXTERNAL_EVENT_BIT = 1 << 15;

    private Aedat2Reader() {}

    /** Reads a CIFAR10-DVS recording: 128x128 events in the loaders' upright orientation. */
    public static EventStream read(Path file) {
        ByteBuffer data = EventFiles.read(file, ByteOrder.BIG_ENDIAN);
        int start = AedatHeader.read(data, file, VERSION, false).dataOffset();
        int bytes = data.limit() - start;
        if (bytes % EVENT_BYTES != 0) {
            throw DataException.inFile(
                    file,
                    "has " + bytes + " bytes of events after its header, not a multiple of " + EVENT_BYTES
                            + " (32-bit address + 32-bit timestamp)");
        }
        int records = bytes / EVENT_BYTES;
        int events = 0;
        for (int r = 0; r < records; r++) {
            int address = data.getInt(start + r * EVENT_BYTES);
            if ((address & 0xFFFF0000) != 0) {
                throw DataException.inFile(
                        file,
                        "event " + r + " has address 0x" + Integer.toHexString(address)
                                + ", which is not a DVS128 address (bits 16-31 set)");
            }
            if ((address & EXTERNAL_EVENT_BIT) == 0) {
                events++;
            }
        }
        int[] x = new int[events];
        int[] y = new int[events];
        byte[] p = new byte[events];
        long[] t = new long[events];
        long wraps = 0;
        long previous = -1;
        int e = 0;
        for (int r = 0; r < records; r++) {
            int at = start + r * EVENT_BYTES;
            int address = data.getInt(at);
            long stamp = Integer.toUnsignedLong(data.getInt(at + 4));
            if (previous >= 0 && previous - stamp > (1L << 31)) {
                wraps += 1L << 32; // the 32-bit microsecond counter rolled over (every 71.6 minutes)
            }
            previous = stamp;
            if ((address & EXTERNAL_EVENT_BIT) != 0) {
                continue;
            }
            int column = (address >>> 1) & 0x7F;
            int row = (address >>> 8) & 0x7F;
            x[e] = DVS128_SIZE - 1 - row;
            y[e] = DVS128_SIZE - 1 - column;
            p[e] = (byte) (1 - (address & 1));
            t[e] = wraps + stamp;
            e++;
        }
        return EventStream.sortedByTime(x, y, p, t, DVS128_SIZE, DVS128_SIZE);
    }
}
