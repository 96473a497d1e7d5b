package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opening event recordings as read-only byte buffers, with errors that name the file. */
final class EventFiles {

    private EventFiles() {}

    /** The whole file, memory-mapped, in the given byte order. */
    static ByteBuffer map(Path file, ByteOrder order) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw DataException.inFile(file, "is " + size + " bytes; recordings over 2 GiB are not supported");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(order);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
