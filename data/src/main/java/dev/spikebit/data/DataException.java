package dev.spikebit.data;

import java.nio.file.Path;

/**
 * The one user-facing failure of the data module: a dataset that cannot be found, or a file that
 * is not what its format says. The message names the file and what is wrong with it.
 */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem with one file: the message starts with the file's path. */
    public static DataException inFile(Path file, String problem) {
        return new DataException(file + ": " + problem);
    }
}
