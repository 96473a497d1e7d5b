package dev.spikebit.runtime;

/**
 * The runtime's one exception for failures a user can cause: a malformed or unsupported model
 * file, or input of the wrong size. The message names the file (or model) and what is wrong.
 */
public final class RuntimeModelException extends RuntimeException {
    public RuntimeModelException(String message) {
        super(message);
    }

    public RuntimeModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
