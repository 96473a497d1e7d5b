package dev.spikebit.data.idx;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses gzip (RFC 1952) and, unlike {@link java.util.zip.GZIPInputStream}, refuses bytes
 * after the last member instead of silently ignoring them: a file with junk appended is not
 * what its format says. Concatenated members are read one after the other, as {@code gzip -d}
 * does, and each member's CRC-32 and length are checked.
 *
 * <p>Failures: {@link EOFException} when the data ends inside a member (a truncated file),
 * {@link ZipException} for anything malformed.
 */
final class StrictGzipInputStream extends InputStream {
    private static final int MAGIC_1 = 0x1f;
    private static final int MAGIC_2 = 0x8b;
    private static final int DEFLATE = 8;
    private static final int FLAG_HEADER_CRC = 2;
    private static final int FLAG_EXTRA = 4;
    private static final int FLAG_NAME = 8;
    private static final int FLAG_COMMENT = 16;
    private static final int FLAG_RESERVED = 0xE0;

    private final PushbackInputStream in;
    private final byte[] input;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private int inputLength;
    private long memberLength;
    private boolean ended;

    StrictGzipInputStream(InputStream in, int bufferSize) throws IOException {
        this.input = new byte[bufferSize];
        this.in = new PushbackInputStream(in, bufferSize);
        readHeader(this.in.read());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!ended) {
            int produced;
            try {
                produced = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("invalid deflate data: " + e.getMessage());
            }
            if (produced > 0) {
                crc.update(b, off, produced);
                memberLength += produced;
                return produced;
            }
            if (inflater.finished()) {
                finishMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("deflate data asks for a preset dictionary, which gzip does not allow");
            } else if (inflater.needsInput()) {
                int read = in.read(input, 0, input.length);
                if (read < 0) {
                    throw new EOFException("the compressed data ends in the middle of a gzip member");
                }
                inputLength = read;
                inflater.setInput(input, 0, read);
            }
        }
        return -1;
    }

    /** Checks the trailer, then either starts the next member or ends, refusing anything else. */
    private void finishMember() throws IOException {
        // The inflater stops at the end of the deflate data; what it did not use of the last input
        // is the trailer and whatever follows, so it goes back to be read from here.
        int unused = inflater.getRemaining();
        if (unused > 0) {
            in.unread(input, inputLength - unused, unused);
        }
        long expectedCrc = readLittleEndian(4);
        long expectedLength = readLittleEndian(4);
        if (expectedCrc != crc.getValue()) {
            throw new ZipException(String.format(
                    "CRC-32 mismatch: the trailer says %08x, the data gives %08x", expectedCrc, crc.getValue()));
        }
        if (expectedLength != (memberLength & 0xFFFFFFFFL)) {
            throw new ZipException("length mismatch: the trailer says " + expectedLength
                    + " bytes (mod 2^32), the data has " + memberLength);
        }
        int next = in.read();
        if (next < 0) {
            ended = true;
            return;
        }
        if (next != MAGIC_1) {
            throw new ZipException(1 + in.transferTo(OutputStream.nullOutputStream())
                    + " bytes of trailing garbage after the end of the gzip data");
        }
        inflater.reset();
        crc.reset();
        memberLength = 0;
        readHeader(next);
    }

    private void readHeader(int first) throws IOException {
        if (first != MAGIC_1 || readByte() != MAGIC_2) {
            throw new ZipException("not in gzip format");
        }
        int method = readByte();
        if (method != DEFLATE) {
            throw new ZipException("unsupported compression method " + method + " (gzip uses 8, deflate)");
        }
        int flags = readByte();
        if ((flags & FLAG_RESERVED) != 0) {
            throw new ZipException(String.format("reserved header flags set (0x%02x)", flags));
        }
        skipFully(6); // modification time, extra flags, operating system
        if ((flags & FLAG_EXTRA) != 0) {
            skipFully(readLittleEndian(2));
        }
        if ((flags & FLAG_NAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FLAG_COMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FLAG_HEADER_CRC) != 0) {
            skipFully(2);
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the data ends inside a gzip header or trailer");
        }
        return b;
    }

    private long readLittleEndian(int bytes) throws IOException {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= (long) readByte() << (8 * i);
        }
        return value;
    }

    private void skipFully(long n) throws IOException {
        for (long i = 0; i < n; i++) {
            readByte();
        }
    }

    private void skipZeroTerminated() throws IOException {
        while (readByte() != 0) {
            // a file name or comment: not needed
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
