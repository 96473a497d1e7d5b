package dev.spikebit.data.events;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Test-side encoders that lay out event files byte for byte as their formats define them, written
 * independently of the readers (from the format descriptions cited in each method).
 */
final class EventFileBytes {

    private EventFileBytes() {}

    /**
     * One ATIS .bin event (Orchard et al., N-MNIST page / Read_Ndataset.m): byte 0 x, byte 1 y,
     * byte 2 = polarity << 7 | t[22:16], byte 3 = t[15:8], byte 4 = t[7:0].
     */
    static byte[] atisEvent(int x, int y, int polarity, int t) {
        return new byte[] {
            (byte) x, (byte) y, (byte) ((polarity << 7) | ((t >>> 16) & 0x7F)), (byte) (t >>> 8), (byte) t
        };
    }

    /** The AEDAT text header: CRLF-terminated {@code #} lines, the first naming the version. */
    static byte[] aedatHeader(String... lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A typical AEDAT 3.1 header as cAER writes it, ending with {@code #!END-HEADER}. */
    static byte[] aedat31Header() {
        return aedatHeader(
                "#!AER-DAT3.1",
                "#Format: RAW",
                "#Source 1: DVS128",
                "#Start-Time: 2017-01-01 12:00:00 (TZ+0000)",
                "#!END-HEADER");
    }

    /**
     * An AEDAT 3.1 packet header (libcaer events/common.h, little-endian): int16 eventType,
     * int16 eventSource, int32 eventSize, int32 eventTSOffset, int32 eventTSOverflow,
     * int32 eventCapacity, int32 eventNumber, int32 eventValid.
     */
    static byte[] packetHeader(int type, int size, int tsOffset, int overflow, int capacity, int number, int valid) {
        return ByteBuffer.allocate(28)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) type)
                .putShort((short) 1)
                .putInt(size)
                .putInt(tsOffset)
                .putInt(overflow)
                .putInt(capacity)
                .putInt(number)
                .putInt(valid)
                .array();
    }

    /**
     * One AEDAT 3.1 polarity event (libcaer events/polarity.h): uint32 data with bit 0 valid,
     * bit 1 polarity, bits 2-16 y, bits 17-31 x; then int32 timestamp; little-endian.
     */
    static byte[] polarityEvent(int x, int y, int polarity, boolean valid, int timestamp) {
        int data = (x << 17) | (y << 2) | (polarity << 1) | (valid ? 1 : 0);
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(data)
                .putInt(timestamp)
                .array();
    }

    /**
     * One AEDAT 2.0 DVS128 event (jAER): big-endian 32-bit address (bit 0 polarity, bits 1-7
     * column, bits 8-14 row, bit 15 external) and big-endian 32-bit timestamp.
     */
    static byte[] dvs128Event(int column, int row, int polarityBit, boolean external, long timestamp) {
        int address = (row << 8) | (column << 1) | polarityBit | (external ? 1 << 15 : 0);
        return ByteBuffer.allocate(8)
                .order(ByteOrder.BIG_ENDIAN)
                .putInt(address)
                .putInt((int) timestamp)
                .array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
