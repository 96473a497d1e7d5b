package dev.spikebit.data.mnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real HTTP downloader against a server on the loopback interface. */
class HttpDownloaderTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final byte[] payload = new byte[300_000];

    @BeforeEach
    void serve() throws IOException {
        new Random(1).nextBytes(payload);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/data/file.gz", exchange -> {
            exchange.sendResponseHeaders(200, payload.length);
            try (var body = exchange.getResponseBody()) {
                body.write(payload);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void copiesTheBodyAndReportsProgress() throws IOException {
        var progress = new ByteArrayOutputStream();
        Path target = Files.write(dir.resolve("target.part"), new byte[] {1, 2, 3});

        new HttpDownloader(new PrintStream(progress, true, StandardCharsets.UTF_8))
                .download(url("/data/file.gz"), target);

        assertThat(Files.readAllBytes(target)).isEqualTo(payload);
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .endsWith("downloading file.gz: 0.3 / 0.3 MB, done" + System.lineSeparator());
    }

    @Test
    void anErrorStatusIsAnIoException() {
        assertThatThrownBy(() -> new HttpDownloader(null).download(url("/missing.gz"), dir.resolve("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/missing.gz answered HTTP 404");
    }
}
