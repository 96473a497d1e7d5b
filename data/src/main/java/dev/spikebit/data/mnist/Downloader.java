package dev.spikebit.data.mnist;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Fetches one remote file. The locator verifies checksums and moves the result into place, so an
 * implementation only copies bytes; tests substitute one that never touches the network.
 */
@FunctionalInterface
public interface Downloader {
    /** Writes the content at {@code url} to {@code target}, replacing whatever it holds. */
    void download(URI url, Path target) throws IOException;
}
