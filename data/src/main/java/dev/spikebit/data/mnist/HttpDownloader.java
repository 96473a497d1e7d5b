package dev.spikebit.data.mnist;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Downloads over HTTP(S) with the JDK's client, printing one progress line per file. */
public final class HttpDownloader implements Downloader {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final PrintStream progress;

    /** @param progress where the progress line goes (standard error in the CLI), or null for none */
    public HttpDownloader(PrintStream progress) {
        this.progress = progress;
    }

    @Override
    public void download(URI url, Path target) throws IOException {
        HttpResponse<InputStream> response;
        try {
            response =
                    client.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + url);
        }
        try (InputStream body = response.body();
                OutputStream out = Files.newOutputStream(target)) {
            if (response.statusCode() != 200) {
                throw new IOException(url + " answered HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            copyWithProgress(url, body, out, total);
        }
    }

    private void copyWithProgress(URI url, InputStream body, OutputStream out, long total) throws IOException {
        String name = Path.of(url.getPath()).getFileName().toString();
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        long lastReport = 0;
        for (int read; (read = body.read(buffer)) >= 0; ) {
            out.write(buffer, 0, read);
            copied += read;
            long now = System.nanoTime();
            if (progress != null && now - lastReport > PROGRESS_INTERVAL_NANOS) {
                lastReport = now;
                progress.print("\rdownloading " + name + ": " + megabytes(copied, total));
                progress.flush();
            }
        }
        if (progress != null) {
            progress.println("\rdownloading " + name + ": " + megabytes(copied, total) + ", done");
        }
    }

    private static String megabytes(long copied, long total) {
        String done = String.format(Locale.ROOT, "%.1f", copied / 1e6);
        return total < 0 ? done + " MB" : done + " / " + String.format(Locale.ROOT, "%.1f MB", total / 1e6);
    }
}
