package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads the polarity events of an AEDAT 3.1 file, the format of DVS128 Gesture (iniVation,
 * "AEDAT 3.1"; libcaer {@code events/common.h} and {@code events/polarity.h}; docs/methods.md
 * section 6).
 *
 * <p>After the text header (closed by {@code #!END-HEADER\r\n}) come packets. Each starts with a
 * 28-byte little-endian header: {@code int16 eventType, int16 eventSource, int32 eventSize,
 * int32 eventTSOffset, int32 eventTSOverflow, int32 eventCapacity, int32 eventNumber,
 * int32 eventValid}, followed by {@code eventCapacity * eventSize} bytes of events. Polarity events
 * (type 1) are 8 bytes: an {@code int32} of bit fields (bit 0 valid, bit 1 polarity, bits 2-16 y,
 * bits 17-31 x) and an {@code int32} timestamp in microseconds; the full timestamp is
 * {@code eventTSOverflow << 31 | timestamp}. Packets of other types are skipped, and so are events
 * whose valid bit is clear. Of a packet's {@code eventCapacity} slots the first
 * {@code eventNumber} hold events (in files the two are equal).
 */
public final class Aedat31Reader {

    public static final String VERSION = "3.1";
    public static final int PACKET_HEADER_BYTES = 28;
    public static final int POLARITY_EVENT = 1;
    public static final int POLARITY_EVENT_BYTES = 8;
    /** The sensor of DVS128 Gesture. */
    public static final int DVS128_SIZE = 128;

    // Byte offsets of the packet header fields this reader uses.
    private static final int EVENT_TYPE = 0;
    private static final int EVENT_SIZE = 4;
    private static final int EVENT_TS_OVERFLOW = 12;
    private static final int EVENT_CAPACITY = 16;
    private static final int EVENT_NUMBER = 20;

    private Aedat31Reader() {}

    /** Reads {@code file}; every event must lie on a {@code width x height} sensor. */
    public static EventStream read(Path file, int width, int height) {
        ByteBuffer data = EventFiles.read(file, ByteOrder.LITTLE_ENDIAN);
        int start = AedatHeader.read(data, file, VERSION, true).dataOffset();
        int events = countPolarityEvents(data, start, file);
        int[] x = new int[events];
        int[] y = new int[events];
        byte[] p = new byte[events];
        long[] t = new long[events];
        int e = 0;
        for (int pos = start; pos < data.limit(); pos += PACKET_HEADER_BYTES + payloadBytes(data, pos)) {
            if (data.getShort(pos + EVENT_TYPE) != POLARITY_EVENT) {
                continue;
            }
            long overflow = (long) data.getInt(pos + EVENT_TS_OVERFLOW) << 31;
            int number = data.getInt(pos + EVENT_NUMBER);
            int first = pos + PACKET_HEADER_BYTES;
            for (int k = 0; k < number; k++) {
                int at = first + k * POLARITY_EVENT_BYTES;
                int bits = data.getInt(at);
                if ((bits & 1) == 0) {
                    continue;
                }
                int ex = (bits >>> 17) & 0x7FFF;
                int ey = (bits >>> 2) & 0x7FFF;
                int ts = data.getInt(at + 4);
                if (ex >= width || ey >= height) {
                    throw DataException.inFile(
                            file,
                            "polarity event " + k + " of the packet at byte " + pos + " lies at (" + ex + ", " + ey
                                    + "), outside the " + width + "x" + height + " sensor");
                }
                if (ts < 0) {
                    throw DataException.inFile(
                            file,
                            "polarity event " + k + " of the packet at byte " + pos + " has a negative timestamp "
                                    + ts);
                }
                x[e] = ex;
                y[e] = ey;
                p[e] = (byte) ((bits >>> 1) & 1);
                t[e] = overflow | ts;
                e++;
            }
        }
        return EventStream.sortedByTime(x, y, p, t, width, height);
    }

    /** Checks every packet header against the file and counts the valid polarity events. */
    private static int countPolarityEvents(ByteBuffer data, int start, Path file) {
        long events = 0;
        int pos = start;
        while (pos < data.limit()) {
            int left = data.limit() - pos;
            if (left < PACKET_HEADER_BYTES) {
                throw DataException.inFile(
                        file,
                        "truncated packet header at byte " + pos + ": " + left + " bytes left, " + PACKET_HEADER_BYTES
                                + " needed");
            }
            int type = data.getShort(pos + EVENT_TYPE);
            int size = data.getInt(pos + EVENT_SIZE);
            int overflow = data.getInt(pos + EVENT_TS_OVERFLOW);
            int capacity = data.getInt(pos + EVENT_CAPACITY);
            int number = data.getInt(pos + EVENT_NUMBER);
            String packet = "packet at byte " + pos + " (event type " + type + ")";
            if (size <= 0 || capacity < 0 || number < 0 || number > capacity || overflow < 0) {
                throw DataException.inFile(
                        file,
                        packet + " has an impossible header: eventSize " + size + ", eventCapacity " + capacity
                                + ", eventNumber " + number + ", eventTSOverflow " + overflow);
            }
            long payload = (long) capacity * size;
            if (payload > left - PACKET_HEADER_BYTES) {
                throw DataException.inFile(
                        file,
                        packet + " claims " + capacity + " events of " + size + " bytes (" + payload
                                + " bytes), but only " + (left - PACKET_HEADER_BYTES) + " bytes follow its header");
            }
            if (type == POLARITY_EVENT) {
                if (size != POLARITY_EVENT_BYTES) {
                    throw DataException.inFile(
                            file,
                            packet + " has polarity events of " + size + " bytes, expected " + POLARITY_EVENT_BYTES);
                }
                int first = pos + PACKET_HEADER_BYTES;
                for (int k = 0; k < number; k++) {
                    events += data.getInt(first + k * POLARITY_EVENT_BYTES) & 1;
                }
            }
            pos += PACKET_HEADER_BYTES + (int) payload;
        }
        if (events > Integer.MAX_VALUE - 8) {
            throw DataException.inFile(file, "holds " + events + " events, more than one stream can hold");
        }
        return (int) events;
    }

    private static int payloadBytes(ByteBuffer data, int pos) {
        return data.getInt(pos + EVENT_CAPACITY) * data.getInt(pos + EVENT_SIZE); // checked by countPolarityEvents
    }
}
