package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The human-readable header of an AEDAT file: lines that start with {@code #} and end with CRLF,
 * the first one naming the version ({@code #!AER-DAT2.0}, {@code #!AER-DAT3.1}). See iniVation's
 * "AEDAT File Formats" (docs.inivation.com/software/software-advanced-usage/file-formats).
 *
 * @param version    the version from the first line, such as {@code 3.1}
 * @param lines      the header lines without their line ending
 * @param dataOffset the byte where the binary data begins
 */
record AedatHeader(String version, List<String> lines, int dataOffset) {

    static final String VERSION_PREFIX = "#!AER-DAT";
    static final String END_OF_HEADER = "#!END-HEADER";

    /**
     * Reads the header at the start of {@code data}. With {@code endMarkerRequired} (AEDAT 3.x) the
     * header must close with {@value #END_OF_HEADER}; otherwise (AEDAT 2.0, which has no end line) it
     * ends before the first byte that does not start a {@code #} line.
     */
    static AedatHeader read(ByteBuffer data, Path file, String expectedVersion, boolean endMarkerRequired) {
        int limit = data.limit();
        int pos = 0;
        List<String> lines = new ArrayList<>();
        boolean ended = false;
        while (pos < limit && data.get(pos) == '#') {
            int newline = pos;
            while (newline < limit && data.get(newline) != '\n') {
                newline++;
            }
            if (newline == limit) {
                throw DataException.inFile(file, "header line at byte " + pos + " is not terminated by a line end");
            }
            int end = newline > pos && data.get(newline - 1) == '\r' ? newline - 1 : newline;
            byte[] text = new byte[end - pos];
            data.get(pos, text);
            String line = new String(text, StandardCharsets.ISO_8859_1);
            lines.add(line);
            pos = newline + 1;
            if (endMarkerRequired && line.equals(END_OF_HEADER)) {
                ended = true;
                break;
            }
        }
        if (lines.isEmpty() || !lines.getFirst().startsWith(VERSION_PREFIX)) {
            throw DataException.inFile(
                    file, "does not start with an AEDAT version line '" + VERSION_PREFIX + expectedVersion + "'");
        }
        String version = lines.getFirst().substring(VERSION_PREFIX.length()).trim();
        if (!version.equals(expectedVersion)) {
            throw DataException.inFile(file, "is AEDAT " + version + ", expected AEDAT " + expectedVersion);
        }
        if (endMarkerRequired && !ended) {
            throw DataException.inFile(
                    file, "header has no '" + END_OF_HEADER + "' line (the header lines stop at byte " + pos + ")");
        }
        return new AedatHeader(version, List.copyOf(lines), pos);
    }
}
