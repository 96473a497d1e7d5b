package dev.spikebit.data.cifar;

import dev.spikebit.data.DataException;
import dev.spikebit.data.mnist.Downloader;
import dev.spikebit.data.mnist.HttpDownloader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the folder of a CIFAR binary version (docs/architecture.md, "Running"), trying in order:
 * <ol>
 *   <li>an explicit directory ({@code --data-dir}); if given, it must hold the data, as
 *       {@code <dir>/cifar-10-batches-bin}, as {@code <dir>} itself, or as the archive
 *       {@code <dir>/cifar-10-binary.tar.gz};</li>
 *   <li>{@code $SPIKEBIT_DATA}, the same three ways;</li>
 *   <li>the cache, {@code ~/.cache/spikebit/cifar-10-batches-bin} (or the archive beside it);</li>
 *   <li>the canonical download from cs.toronto.edu into the cache, checked against the MD5 the
 *       page publishes, then unpacked by {@link TarGzArchive} and deleted.</li>
 * </ol>
 * (CIFAR-100: {@code cifar-100-binary} and {@code cifar-100-binary.tar.gz}.) An archive found on
 * disk must also match the published MD5. When every way fails, the {@link DataException} lists
 * what was tried and how to provide the data.
 */
public final class CifarLocator {

    /** The environment variable naming a folder of datasets. */
    public static final String DATA_ENV = "SPIKEBIT_DATA";

    private final CifarVariant variant;
    private final Path explicitDir;
    private final String dataEnv;
    private final Path home;
    private final Downloader downloader;
    private final String md5;

    /**
     * @param explicitDir a folder the user named, or null
     * @param dataEnv     the value of {@code $SPIKEBIT_DATA}, or null when unset
     * @param home        the user's home folder, under which the cache lives
     * @param downloader  what fetches the archive when no folder has the data
     */
    public CifarLocator(CifarVariant variant, Path explicitDir, String dataEnv, Path home, Downloader downloader) {
        this(variant, explicitDir, dataEnv, home, downloader, variant.md5());
    }

    /** As above with another expected MD5: lets tests serve archives of their own making. */
    CifarLocator(CifarVariant variant, Path explicitDir, String dataEnv, Path home, Downloader downloader, String md5) {
        this.variant = variant;
        this.explicitDir = explicitDir;
        this.dataEnv = dataEnv;
        this.home = home;
        this.downloader = downloader;
        this.md5 = md5;
    }

    /** The locator of a real run: the environment, the user's home, HTTP with progress on stderr. */
    public static CifarLocator standard(CifarVariant variant, Path explicitDirOrNull) {
        return new CifarLocator(
                variant,
                explicitDirOrNull,
                System.getenv(DATA_ENV),
                Path.of(System.getProperty("user.home")),
                new HttpDownloader(System.err));
    }

    /** The cache folder: downloads go here, and unpack to its {@code cifar-10-batches-bin}. */
    public Path cacheDir() {
        return home.resolve(".cache").resolve("spikebit");
    }

    /** The folder holding the data files, found, unpacked or downloaded now. */
    public Path locate() {
        List<String> tried = new ArrayList<>();
        if (explicitDir != null) {
            return probe("--data-dir", explicitDir, tried)
                    .orElseThrow(() -> new DataException(variant.title()
                            + " is not in the folder given with --data-dir:\n" + bulleted(tried) + howToGetIt()));
        }
        Optional<Path> found = Optional.empty();
        if (dataEnv == null || dataEnv.isBlank()) {
            tried.add("$" + DATA_ENV + ": not set");
        } else {
            found = probe("$" + DATA_ENV, Path.of(dataEnv), tried);
        }
        return found.or(() -> probe("cache", cacheDir(), tried))
                .or(() -> download(tried))
                .orElseThrow(() ->
                        new DataException(variant.title() + " not found. Tried:\n" + bulleted(tried) + howToGetIt()));
    }

    /** {@code root/<folder>}, {@code root} itself, or the archive in {@code root} unpacked there. */
    private Optional<Path> probe(String label, Path root, List<String> tried) {
        for (Path dir : List.of(root.resolve(variant.folder()), root)) {
            List<String> missing = missingFiles(dir);
            if (missing.isEmpty()) {
                return Optional.of(dir);
            }
            tried.add(label + " " + dir
                    + (Files.isDirectory(dir) ? ": lacks " + String.join(", ", missing) : ": does not exist"));
        }
        Path archive = root.resolve(variant.archive());
        if (Files.isRegularFile(archive)) {
            try {
                String actual = md5(archive);
                if (!actual.equals(md5)) {
                    tried.add(label + " " + archive + ": has MD5 " + actual + ", expected " + md5);
                    return Optional.empty();
                }
                unpack(archive, root);
                return Optional.of(root.resolve(variant.folder()));
            } catch (IOException | DataException e) {
                tried.add(label + " " + archive + ": cannot unpack (" + e.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    private List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String file : variant.files()) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                missing.add(file);
            }
        }
        return missing;
    }

    /** Fetches the archive into the cache, checks it, unpacks it and deletes it. */
    private Optional<Path> download(List<String> tried) {
        Path cache = cacheDir();
        Path archive = cache.resolve(variant.archive());
        try {
            Files.createDirectories(cache);
            Path partial = Files.createTempFile(cache, variant.archive() + ".", ".part");
            try {
                downloader.download(variant.archiveUrl(), partial);
                String actual = md5(partial);
                if (!actual.equals(md5)) {
                    throw new IOException(
                            variant.archiveUrl() + " has MD5 " + actual + ", expected " + md5 + "; discarded it");
                }
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            unpack(archive, cache);
            Files.deleteIfExists(archive);
        } catch (IOException | DataException e) {
            tried.add("download from " + variant.archiveUrl() + " into " + cache + ": failed (" + e.getMessage() + ")");
            return Optional.empty();
        }
        return Optional.of(cache.resolve(variant.folder()));
    }

    private void unpack(Path archive, Path into) {
        Set<String> members = new LinkedHashSet<>();
        for (String file : variant.files()) {
            members.add(variant.folder() + "/" + file);
        }
        TarGzArchive.extract(archive, members, into);
    }

    static String md5(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String bulleted(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append("  - ").append(line).append('\n');
        }
        return text.toString();
    }

    private String howToGetIt() {
        String folder = variant.folder();
        return "Get " + variant.title() + " (binary version) in one of these ways:\n"
                + "  - download " + variant.archiveUrl() + " (" + variant.archiveBytes() / 1_000_000 + " MB, MD5 "
                + variant.md5() + ") and either unpack it (tar xzf " + variant.archive() + ", giving " + folder
                + "/) or leave the archive as it is, then:\n"
                + "  - pass --data-dir DIR, with " + folder + "/ or " + variant.archive() + " in DIR\n"
                + "  - or set " + DATA_ENV + "=DIR, the same way\n"
                + "  - or put it in ~/.cache/spikebit/\n"
                + "  - spikebit downloads it into ~/.cache/spikebit itself when it has internet access";
    }
}
