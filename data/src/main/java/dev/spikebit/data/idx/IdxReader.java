package dev.spikebit.data.idx;

import dev.spikebit.data.DataException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed.
 *
 * <p>The format (Yann LeCun's MNIST page): a 4-byte magic number {@code 0x00 0x00 type ndims},
 * then {@code ndims} big-endian 32-bit dimension sizes, then the elements in row-major order.
 * spikebit reads element type {@code 0x08}, unsigned byte, which is what (Fashion-)MNIST uses.
 *
 * <p>Compression is recognised by the gzip magic bytes {@code 1f 8b}, not by the file name. Every
 * declared size is checked before anything is allocated from it: against the file length for a
 * raw file; for a gzip file, whose uncompressed length is unknown, against the most deflate can
 * expand (1032:1), and the data is then read in growing chunks that never exceed what the stream
 * actually delivers. Data beyond the declared size is refused, and so are bytes after the end of
 * the gzip data ({@link StrictGzipInputStream}). Whatever is wrong ends in a
 * {@link DataException} naming the file.
 */
public final class IdxReader {
    /** The IDX type code of unsigned bytes, the only element type read here. */
    public static final int UNSIGNED_BYTE = 0x08;

    /** The longest array the JVM reliably allocates (the JDK's own soft limit). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** zlib's documented bound: deflate never expands data by more than 1032:1. */
    private static final long DEFLATE_MAX_RATIO = 1032;

    private static final int BUFFER_BYTES = 1 << 16;
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxReader() {}

    /** Reads an IDX file of any number of dimensions. */
    public static IdxFile read(Path file) {
        return read(file, 0);
    }

    /**
     * Reads an IDX file that must have {@code expectedRank} dimensions (3 for images, 1 for
     * labels); 0 accepts any.
     */
    public static IdxFile read(Path file, int expectedRank) {
        long fileLength;
        try {
            fileLength = Files.size(file);
        } catch (NoSuchFileException e) {
            throw DataException.inFile(file, "does not exist");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES)) {
            if (startsWithGzipMagic(in)) {
                return readGzip(file, new StrictGzipInputStream(in, BUFFER_BYTES), fileLength, expectedRank);
            }
            return readRaw(file, in, fileLength, expectedRank);
        } catch (ZipException e) {
            throw new DataException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new DataException(
                    file + ": the gzip stream ends early, the file is truncated (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static boolean startsWithGzipMagic(InputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        return first == 0x1f && second == 0x8b;
    }

    private static IdxFile readRaw(Path file, InputStream in, long fileLength, int expectedRank) throws IOException {
        Header header = Header.read(file, in, expectedRank);
        long present = fileLength - header.length();
        if (present < header.elements()) {
            throw DataException.inFile(
                    file,
                    "expected " + header.elements() + " bytes of data after the header, found " + present
                            + " (the file is truncated)");
        }
        if (present > header.elements()) {
            throw DataException.inFile(
                    file,
                    "has " + (present - header.elements())
                            + " bytes of trailing data after the " + header.elements()
                            + " bytes its header declares");
        }
        byte[] data = new byte[(int) header.elements()];
        int read = in.readNBytes(data, 0, data.length);
        if (read < data.length) {
            throw DataException.inFile(
                    file,
                    "expected " + data.length + " bytes of data after the header, found " + read
                            + " (the file shrank while being read)");
        }
        return new IdxFile(file, header.shape(), data);
    }

    private static IdxFile readGzip(Path file, InputStream in, long fileLength, int expectedRank) throws IOException {
        Header header = Header.read(file, in, expectedRank);
        long declared = header.elements();
        if (declared > fileLength * DEFLATE_MAX_RATIO) {
            throw DataException.inFile(
                    file,
                    "declares " + declared + " bytes of data, more than a gzip file of " + fileLength
                            + " bytes can hold (deflate expands at most " + DEFLATE_MAX_RATIO + ":1)");
        }
        byte[] data = readAtMost(file, in, (int) declared, fileLength);
        if (data.length < declared) {
            throw DataException.inFile(
                    file,
                    "expected " + declared + " bytes of data after the header, found " + data.length
                            + " (after decompression)");
        }
        // Reading to the end also checks the gzip trailer (CRC-32, length) and that nothing follows it.
        long trailing = in.transferTo(OutputStream.nullOutputStream());
        if (trailing > 0) {
            throw DataException.inFile(
                    file,
                    "has " + trailing + " bytes of trailing data after the " + declared
                            + " bytes its header declares (after decompression)");
        }
        return new IdxFile(file, header.shape(), data);
    }

    /**
     * Reads up to {@code limit} bytes, growing the buffer only as data arrives, so a header that
     * lies about the size costs no more memory than the stream really holds.
     */
    private static byte[] readAtMost(Path file, InputStream in, int limit, long compressedLength) throws IOException {
        long guess = Math.max(FIRST_CHUNK, 8 * compressedLength);
        byte[] buffer = new byte[(int) Math.min(limit, guess)];
        int filled = 0;
        try {
            while (filled < limit) {
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
                }
                int read = in.read(buffer, filled, buffer.length - filled);
                if (read < 0) {
                    break;
                }
                filled += read;
            }
        } catch (EOFException e) {
            throw new DataException(
                    file + ": the gzip stream ends early, after " + filled + " of the " + limit
                            + " bytes of data the header declares (the file is truncated)",
                    e);
        }
        return filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
    }

    /** The magic number and dimension sizes at the start of every IDX file. */
    private record Header(int[] shape, long elements) {

        /** Bytes the header occupies: the magic number and one 32-bit size per dimension. */
        long length() {
            return 4L + 4L * shape.length;
        }

        static Header read(Path file, InputStream in, int expectedRank) throws IOException {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) {
                throw DataException.inFile(
                        file,
                        "is " + magic.length + " bytes long, too short for the 4-byte magic number of an IDX file");
            }
            if (magic[0] != 0 || magic[1] != 0) {
                throw DataException.inFile(
                        file,
                        "is not an IDX file: its magic number " + hex(magic) + " does not start with two zero bytes");
            }
            int type = magic[2] & 0xFF;
            int rank = magic[3] & 0xFF;
            if (type != UNSIGNED_BYTE) {
                throw DataException.inFile(
                        file,
                        "has IDX element type 0x" + String.format("%02x", type) + " (" + typeName(type)
                                + "); only unsigned bytes (0x08) are supported");
            }
            if (rank == 0) {
                throw DataException.inFile(file, "declares 0 dimensions (magic number " + hex(magic) + ")");
            }
            if (expectedRank > 0 && rank != expectedRank) {
                throw DataException.inFile(
                        file,
                        "has " + rank + " dimensions, expected " + expectedRank + " (magic number " + hex(magic) + ")");
            }
            byte[] sizes = in.readNBytes(4 * rank);
            if (sizes.length < 4 * rank) {
                throw DataException.inFile(
                        file,
                        "ends inside the header: " + rank + " dimension sizes need " + 4 * rank + " bytes, found "
                                + sizes.length);
            }
            long[] declared = new long[rank];
            for (int d = 0; d < rank; d++) {
                declared[d] = Integer.toUnsignedLong(((sizes[4 * d] & 0xFF) << 24)
                        | ((sizes[4 * d + 1] & 0xFF) << 16)
                        | ((sizes[4 * d + 2] & 0xFF) << 8)
                        | (sizes[4 * d + 3] & 0xFF));
            }
            int[] shape = new int[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                if (declared[d] > MAX_ELEMENTS) {
                    throw DataException.inFile(
                            file,
                            "declares dimension " + d + " of size " + declared[d]
                                    + ", more than a Java array can hold (" + MAX_ELEMENTS + ")");
                }
                shape[d] = (int) declared[d];
                elements *= declared[d]; // cannot overflow: both factors are below 2^31
                if (elements > MAX_ELEMENTS) {
                    throw DataException.inFile(
                            file,
                            "declares dimensions " + Arrays.toString(declared)
                                    + ", more elements than a Java array can hold (" + MAX_ELEMENTS + ")");
                }
            }
            return new Header(shape, elements);
        }

        private static String hex(byte[] magic) {
            return String.format("0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
        }

        private static String typeName(int type) {
            return switch (type) {
                case 0x09 -> "signed byte";
                case 0x0B -> "16-bit integer";
                case 0x0C -> "32-bit integer";
                case 0x0D -> "32-bit float";
                case 0x0E -> "64-bit float";
                default -> "not an IDX type";
            };
        }
    }
}
