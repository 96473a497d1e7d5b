package dev.spikebit.data.mnist;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the four Fashion-MNIST files (docs/architecture.md, "Running"), trying in order:
 * <ol>
 *   <li>an explicit directory ({@code --data-dir}); if given, it must hold the data;</li>
 *   <li>{@code $SPIKEBIT_DATA/fashion-mnist}, then {@code $SPIKEBIT_DATA} itself;</li>
 *   <li>the cache, {@code ~/.cache/spikebit/fashion-mnist};</li>
 *   <li>system folders, {@code /usr/share/datasets/fashion-mnist} (Debian's
 *       {@code dataset-fashion-mnist});</li>
 *   <li>the canonical download into the cache, each file checked against its SHA-256, written
 *       to a temporary file and renamed into place only when it matches.</li>
 * </ol>
 * In every folder, each file may be the official {@code .gz} or the same file uncompressed. When
 * all ways fail, the {@link DataException} lists what was tried and how to get the data.
 */
public final class FashionMnistLocator {
    /** Where Zalando Research publishes the files (their README; plain HTTP, the S3 website endpoint). */
    public static final URI DOWNLOAD_BASE = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /** Where Debian's package {@code dataset-fashion-mnist} installs the files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The environment variable naming a folder of datasets. */
    public static final String DATA_ENV = "SPIKEBIT_DATA";

    /** The four files, without {@code .gz}, in the order train images, train labels, test images, test labels. */
    public static final List<String> FILE_STEMS = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /**
     * SHA-256 of the four official {@code .gz} files as served at {@link #DOWNLOAD_BASE} (the same
     * values appear in several independent loaders, e.g. TensorFlow Datasets; the MD5s in the
     * Fashion-MNIST README identify the same files). Debian's copies hold the same compressed
     * data but without the file name in the gzip header, so their hashes differ; local files are
     * validated by the IDX reader instead.
     */
    static final Map<String, String> OFFICIAL_SHA256 = Map.of(
            "train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5");

    private static final String SUBFOLDER = "fashion-mnist";
    private static final Path CACHE_UNDER_HOME = Path.of(".cache", "spikebit", SUBFOLDER);

    private final Path explicitDir;
    private final String dataEnv;
    private final Path home;
    private final List<Path> systemDirs;
    private final Downloader downloader;
    private final Map<String, String> sha256;

    /**
     * @param explicitDir a folder the user named, or null
     * @param dataEnv     the value of {@code $SPIKEBIT_DATA}, or null when unset
     * @param home        the user's home folder, under which the cache lives
     * @param systemDirs  system-wide folders to look in
     * @param downloader  what fetches the files when no folder has them
     */
    public FashionMnistLocator(
            Path explicitDir, String dataEnv, Path home, List<Path> systemDirs, Downloader downloader) {
        this(explicitDir, dataEnv, home, systemDirs, downloader, OFFICIAL_SHA256);
    }

    /** As above with other expected checksums: lets tests download files of their own making. */
    FashionMnistLocator(
            Path explicitDir,
            String dataEnv,
            Path home,
            List<Path> systemDirs,
            Downloader downloader,
            Map<String, String> sha256) {
        this.explicitDir = explicitDir;
        this.dataEnv = dataEnv;
        this.home = home;
        this.systemDirs = List.copyOf(systemDirs);
        this.downloader = downloader;
        this.sha256 = Map.copyOf(sha256);
    }

    /** The locator of a real run: the environment, the user's home, Debian's folder, HTTP with progress on stderr. */
    public static FashionMnistLocator standard(Path explicitDirOrNull) {
        return new FashionMnistLocator(
                explicitDirOrNull,
                System.getenv(DATA_ENV),
                Path.of(System.getProperty("user.home")),
                List.of(SYSTEM_DIR),
                new HttpDownloader(System.err));
    }

    /** The cache folder, where downloads go. */
    public Path cacheDir() {
        return home.resolve(CACHE_UNDER_HOME);
    }

    /** Finds (or downloads) the files, or explains in a {@link DataException} why it could not. */
    public FashionMnistFiles locate() {
        var tried = new ArrayList<String>();
        if (explicitDir != null) {
            return probe("--data-dir", explicitDir.resolve(SUBFOLDER), tried)
                    .or(() -> probe("--data-dir", explicitDir, tried))
                    .orElseThrow(() -> new DataException("Fashion-MNIST is not in the folder given with --data-dir:\n"
                            + bulleted(tried) + howToGetIt()));
        }
        Optional<FashionMnistFiles> found = Optional.empty();
        if (dataEnv == null || dataEnv.isBlank()) {
            tried.add("$" + DATA_ENV + ": not set");
        } else {
            Path root = Path.of(dataEnv);
            found = probe("$" + DATA_ENV, root.resolve(SUBFOLDER), tried).or(() -> probe("$" + DATA_ENV, root, tried));
        }
        found = found.or(() -> probe("cache", cacheDir(), tried));
        for (Path dir : systemDirs) {
            found = found.or(() -> probe("system folder", dir, tried));
        }
        return found.or(() -> download(tried))
                .orElseThrow(
                        () -> new DataException("Fashion-MNIST not found. Tried:\n" + bulleted(tried) + howToGetIt()));
    }

    /** The four files in {@code dir}, or empty with the reason added to {@code tried}. */
    private static Optional<FashionMnistFiles> probe(String label, Path dir, List<String> tried) {
        String where = label + " " + dir;
        if (!Files.exists(dir)) {
            tried.add(where + ": does not exist");
            return Optional.empty();
        }
        if (!Files.isDirectory(dir)) {
            tried.add(where + ": is not a folder");
            return Optional.empty();
        }
        var present = new ArrayList<Path>();
        var missing = new ArrayList<String>();
        for (String stem : FILE_STEMS) {
            Path gz = dir.resolve(stem + ".gz");
            Path raw = dir.resolve(stem);
            if (Files.isRegularFile(gz)) {
                present.add(gz);
            } else if (Files.isRegularFile(raw)) {
                present.add(raw);
            } else {
                missing.add(stem + ".gz");
            }
        }
        if (!missing.isEmpty()) {
            tried.add(where + ": lacks " + String.join(", ", missing));
            return Optional.empty();
        }
        return Optional.of(new FashionMnistFiles(dir, present.get(0), present.get(1), present.get(2), present.get(3)));
    }

    /** Downloads what the cache lacks; on failure, empty with the reason added to {@code tried}. */
    private Optional<FashionMnistFiles> download(List<String> tried) {
        Path cache = cacheDir();
        try {
            Files.createDirectories(cache);
            for (String stem : FILE_STEMS) {
                if (!Files.isRegularFile(cache.resolve(stem + ".gz")) && !Files.isRegularFile(cache.resolve(stem))) {
                    fetch(stem + ".gz", cache.resolve(stem + ".gz"));
                }
            }
        } catch (IOException e) {
            tried.add("download from " + DOWNLOAD_BASE + " into " + cache + ": failed (" + describe(e) + ")");
            return Optional.empty();
        }
        return probe("cache", cache, tried);
    }

    /** One file: into a temporary file beside the target, checked, then renamed into place. */
    private void fetch(String name, Path target) throws IOException {
        URI url = DOWNLOAD_BASE.resolve(name);
        Path partial = Files.createTempFile(target.getParent(), name + ".", ".part");
        try {
            downloader.download(url, partial);
            String expected = sha256.get(name);
            String actual = sha256(partial);
            if (!actual.equals(expected)) {
                throw new IOException(url + " has SHA-256 " + actual + ", expected " + expected + "; discarded it");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** An exception and its causes, since network errors often say nothing themselves. */
    private static String describe(Throwable e) {
        var text = new StringBuilder(e.toString());
        String last = e.toString();
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            if (!cause.toString().equals(last)) {
                last = cause.toString();
                text.append(", caused by ").append(last);
            }
        }
        return text.toString();
    }

    private static String bulleted(List<String> lines) {
        var text = new StringBuilder();
        for (String line : lines) {
            text.append("  - ").append(line).append('\n');
        }
        return text.toString();
    }

    private static String howToGetIt() {
        return "Get the four files (" + String.join(".gz, ", FILE_STEMS) + ".gz) in one of these ways:\n"
                + "  - pass --data-dir DIR, with the files in DIR or DIR/fashion-mnist\n"
                + "  - set " + DATA_ENV + "=DIR, with the files in DIR/fashion-mnist or DIR\n"
                + "  - put them in ~/.cache/spikebit/fashion-mnist\n"
                + "  - on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist (installs them in "
                + SYSTEM_DIR + ")\n"
                + "  - download them from " + DOWNLOAD_BASE
                + " (spikebit does this itself when it has internet access)";
    }
}
