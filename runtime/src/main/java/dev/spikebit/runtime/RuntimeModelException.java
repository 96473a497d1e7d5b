package dev.spikebit.runtime;

import dev.spikebit.runtime.io.OneLine;

/**
 * The runtime's one exception for failures a user can cause: a malformed or unsupported model
 * file, or input of the wrong size. The message names the file (or model) and what is wrong, in
 * one line ({@link OneLine}).
 */
public final class RuntimeModelException extends RuntimeException {
    public RuntimeModelException(String message) {
        super(OneLine.of(message));
    }

    public RuntimeModelException(String message, Throwable cause) {
        super(OneLine.of(message), cause);
    }
}
