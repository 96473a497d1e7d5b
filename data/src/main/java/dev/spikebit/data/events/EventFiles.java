package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opening event recordings as read-only byte buffers, with errors that name the file. */
final class EventFiles {

    private EventFiles() {}

    /**
     * The whole file, read into memory, in the given byte order. Not memory-mapped: a mapping is
     * released only when the collector frees its buffer, so binning a dataset of thousands of
     * recordings (N-MNIST has 70,000) would pile up mappings towards the kernel's per-process limit
     * (65,530 by default), and in a fuzz run every write to a file that was still mapped got slower with each
     * mapping. The readers copy the events out anyway, so the bytes are needed only briefly.
     */
    static ByteBuffer read(Path file, ByteOrder order) {
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw DataException.inFile(file, "is " + size + " bytes; recordings over 2 GiB are not supported");
            }
            return ByteBuffer.wrap(Files.readAllBytes(file)).asReadOnlyBuffer().order(order);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
