package dev.spikebit.core;

import dev.spikebit.runtime.io.OneLine;

/**
 * The one user-facing failure of the core module: a bad checkpoint, a model description that does
 * not fit, an option out of range. The message names the file or field and what was expected, in
 * one line: characters quoted from a file that would break it are written as escapes ({@link
 * OneLine}).
 */
public class SpikebitException extends RuntimeException {
    public SpikebitException(String message) {
        super(OneLine.of(message));
    }

    public SpikebitException(String message, Throwable cause) {
        super(OneLine.of(message), cause);
    }
}
