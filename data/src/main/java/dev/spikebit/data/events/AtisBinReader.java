package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the ATIS {@code .bin} files of N-MNIST and N-Caltech101 (Orchard et al. 2015;
 * docs/methods.md section 6).
 *
 * <p>Each event is 40 bits in five bytes: byte 0 is x, byte 1 is y, bit 7 of byte 2 is the
 * polarity (1 = ON), and bits 6..0 of byte 2 followed by bytes 3 and 4 form a 23-bit big-endian
 * timestamp in microseconds. As in the authors' Python reader (gorchard/event-Python, which tonic
 * follows), an event with {@code y == 240} is not a pixel event but a timestamp-overflow marker:
 * it is dropped and {@value #OVERFLOW_INCREMENT_US} us is added to every later timestamp.
 */
public final class AtisBinReader {

    /** Bytes per event. */
    public static final int EVENT_BYTES = 5;
    /** The y value that marks a timestamp overflow instead of an event. */
    public static final int OVERFLOW_MARKER_Y = 240;
    /** What the reference reader adds to later timestamps at each overflow marker (2^13 us). */
    public static final long OVERFLOW_INCREMENT_US = 1L << 13;

    /** N-MNIST is recorded on a 34x34 crop of the ATIS sensor. */
    public static final int NMNIST_SIZE = 34;
    /** N-Caltech101 samples fit a 240x180 crop (width x height). */
    public static final int NCALTECH101_WIDTH = 240;

    public static final int NCALTECH101_HEIGHT = 180;

    private AtisBinReader() {}

    /**
     * Reads {@code file}, checking that its length is a whole number of events and that every
     * event lies on a {@code width x height} sensor.
     */
    public static EventStream read(Path file, int width, int height) {
        byte[] bytes;
        try {
            long length = Files.size(file);
            if (length % EVENT_BYTES != 0) {
                throw DataException.inFile(
                        file,
                        "length " + length + " bytes is not a multiple of " + EVENT_BYTES
                                + " (ATIS .bin events are 40 bits each)");
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw DataException.inFile(file, "length " + length + " bytes is too large for an ATIS sample");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length % EVENT_BYTES != 0) {
            throw DataException.inFile(file, "changed while being read (length " + bytes.length + ")");
        }
        return decode(bytes, file, width, height);
    }

    private static EventStream decode(byte[] bytes, Path file, int width, int height) {
        int records = bytes.length / EVENT_BYTES;
        int events = 0;
        for (int r = 0; r < records; r++) {
            if ((bytes[r * EVENT_BYTES + 1] & 0xFF) != OVERFLOW_MARKER_Y) {
                events++;
            }
        }
        int[] x = new int[events];
        int[] y = new int[events];
        byte[] p = new byte[events];
        long[] t = new long[events];
        long overflow = 0;
        int e = 0;
        for (int r = 0; r < records; r++) {
            int at = r * EVENT_BYTES;
            int ey = bytes[at + 1] & 0xFF;
            if (ey == OVERFLOW_MARKER_Y) {
                overflow += OVERFLOW_INCREMENT_US;
                continue;
            }
            int ex = bytes[at] & 0xFF;
            int b2 = bytes[at + 2] & 0xFF;
            if (ex >= width || ey >= height) {
                throw DataException.inFile(
                        file,
                        "event " + r + " at (" + ex + ", " + ey + ") lies outside the " + width + "x" + height
                                + " sensor");
            }
            x[e] = ex;
            y[e] = ey;
            p[e] = (byte) (b2 >>> 7);
            t[e] = overflow + (((long) (b2 & 0x7F) << 16) | ((bytes[at + 3] & 0xFF) << 8) | (bytes[at + 4] & 0xFF));
            e++;
        }
        return EventStream.sortedByTime(x, y, p, t, width, height);
    }
}
