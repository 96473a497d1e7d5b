package dev.spikebit.core;

/**
 * The one user-facing failure of the core module: a bad checkpoint, a model description that does
 * not fit, an option out of range. The message names the file or field and what was expected.
 */
public class SpikebitException extends RuntimeException {
    public SpikebitException(String message) {
        super(message);
    }

    public SpikebitException(String message, Throwable cause) {
        super(message, cause);
    }
}
