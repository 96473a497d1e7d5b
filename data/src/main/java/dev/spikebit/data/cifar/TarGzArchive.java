package dev.spikebit.data.cifar;

import dev.spikebit.data.DataException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Extracts chosen files from a gzip-compressed tar archive, enough for the CIFAR archives and any
 * other plain ustar or GNU tar: 512-byte headers (name, octal size, checksum, type flag, the ustar
 * prefix), file contents padded to 512 bytes, two zero blocks at the end; GNU long names
 * ({@code L}) and pax path records ({@code x}) are honoured, other entry types skipped. Only the
 * members asked for by their exact path are written, each to a temporary file renamed into place,
 * so no archive path can reach outside the target folder.
 */
public final class TarGzArchive {

    static final int BLOCK = 512;

    private TarGzArchive() {}

    /**
     * Writes the regular files {@code members} (paths inside the archive, such as
     * {@code cifar-10-batches-bin/test_batch.bin}) to {@code targetDir/<member>} and returns where
     * each went. Every member must be in the archive.
     */
    public static Map<String, Path> extract(Path archive, Set<String> members, Path targetDir) {
        Map<String, Path> written = new LinkedHashMap<>();
        Set<String> wanted = new HashSet<>(members);
        for (String member : members) {
            Path target = targetDir.resolve(member).normalize();
            if (!target.startsWith(targetDir.normalize()) || member.startsWith("/")) {
                throw new IllegalArgumentException("member " + member + " would leave " + targetDir);
            }
        }
        try (InputStream in =
                new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            while (!wanted.isEmpty()) {
                if (in.readNBytes(header, 0, BLOCK) != BLOCK) {
                    throw DataException.inFile(archive, "ends inside a tar header");
                }
                if (isZero(header)) {
                    break; // end of archive
                }
                checkChecksum(header, archive);
                long size = size(header, archive);
                char type = (char) header[156];
                String name = longName != null ? longName : name(header);
                longName = null;
                switch (type) {
                    case 'L' -> longName = cString(readContent(in, size, archive));
                    case 'x' -> longName = paxPath(readContent(in, size, archive));
                    case '0', '\0', '7' -> {
                        String member = name.startsWith("./") ? name.substring(2) : name;
                        if (wanted.remove(member)) {
                            written.put(member, copyOut(in, size, targetDir.resolve(member), archive));
                        } else {
                            skip(in, size);
                        }
                    }
                    default -> skip(in, size);
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new DataException(archive + ": is not a valid gzip file: " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            throw new DataException(archive + ": is truncated: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DataException(archive + ": cannot extract: " + e.getMessage(), e);
        }
        if (!wanted.isEmpty()) {
            throw DataException.inFile(archive, "does not contain " + new TreeSet<>(wanted));
        }
        return written;
    }

    private static Path copyOut(InputStream in, long size, Path target, Path archive) throws IOException {
        Files.createDirectories(target.getParent());
        Path partial =
                Files.createTempFile(target.getParent(), target.getFileName().toString() + ".", ".part");
        try {
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                long left = size;
                while (left > 0) {
                    int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (read < 0) {
                        throw DataException.inFile(archive, "ends inside " + target.getFileName());
                    }
                    out.write(buffer, 0, read);
                    left -= read;
                }
            }
            in.skipNBytes(padding(size));
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static byte[] readContent(InputStream in, long size, Path archive) throws IOException {
        if (size > 1 << 20) {
            throw DataException.inFile(archive, "has a name record of " + size + " bytes");
        }
        byte[] content = in.readNBytes((int) size);
        if (content.length != size) {
            throw DataException.inFile(archive, "ends inside a name record");
        }
        in.skipNBytes(padding(size));
        return content;
    }

    private static void skip(InputStream in, long size) throws IOException {
        in.skipNBytes(size + padding(size));
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The checksum is the sum of the header's unsigned bytes with its own 8 bytes counted as spaces. */
    private static void checkChecksum(byte[] header, Path archive) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
        }
        long stored = octal(header, 148, 8);
        if (stored != sum) {
            throw DataException.inFile(archive, "has a tar header with checksum " + stored + ", computed " + sum);
        }
    }

    /** Octal digits (ustar) or, with the high bit of the first byte set, a big-endian binary number (GNU). */
    private static long size(byte[] header, Path archive) {
        long size;
        if ((header[124] & 0x80) != 0) {
            size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (header[i] & 0xFF);
            }
        } else {
            size = octal(header, 124, 12);
        }
        if (size < 0) {
            throw DataException.inFile(archive, "has a tar entry of negative size");
        }
        return size;
    }

    /** An octal number, optionally led by spaces and ended by a space or NUL; -1 if malformed. */
    private static long octal(byte[] header, int from, int length) {
        int i = from;
        int end = from + length;
        while (i < end && header[i] == ' ') {
            i++;
        }
        long value = 0;
        for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
            if (header[i] < '0' || header[i] > '7') {
                return -1;
            }
            value = value * 8 + (header[i] - '0');
        }
        return value;
    }

    private static String name(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] bytes) {
        return cString(bytes, 0, bytes.length);
    }

    private static String cString(byte[] bytes, int from, int length) {
        int end = from;
        while (end < from + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }

    /** The {@code path} of pax extended-header records {@code "<length> path=<value>\n"}, or null. */
    private static String paxPath(byte[] records) {
        String text = new String(records, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }
}
