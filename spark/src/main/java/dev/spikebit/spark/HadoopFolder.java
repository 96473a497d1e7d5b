package dev.spikebit.spark;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.runtime.io.OneLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * A folder of a Hadoop filesystem ({@code hdfs://}, {@code s3a://}, {@code file://}, ...) worked on
 * through a local copy, so that spikebit's training code, which writes files with Java's file API,
 * writes run directories there unchanged. {@link #fetch} copies the folder's files in, {@link #save}
 * copies back the files that are new or changed since (each to a hidden temporary name in the
 * shared folder, then renamed over the old file, so a reader sees a whole file or the previous one).
 *
 * <p>The filesystem is configured as Spark configures it: Hadoop's defaults and the classpath's
 * {@code core-site.xml}, then every {@code spark.hadoop.*} setting of the Spark configuration (on
 * the driver, the {@code spark.*} system properties).
 */
final class HadoopFolder implements ClusterBackend.SharedFolder {
    /**
     * A local file's identity (its inode where the platform has one: a file replaced by an atomic
     * rename is a new one), size and modification time, to tell whether it changed since it was copied.
     */
    private record Stamp(Object key, long size, long modified) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
        }
    }

    private final String uri;
    private final FileSystem fs;
    private final FileContext context;
    private final org.apache.hadoop.fs.Path root;
    private final Path local;
    /** The stamp of each local file (by its path relative to the copy) when it last matched the shared one. */
    private final Map<Path, Stamp> copied = new HashMap<>();

    private HadoopFolder(String uri, FileSystem fs, FileContext context, org.apache.hadoop.fs.Path root, Path local) {
        this.uri = uri;
        this.fs = fs;
        this.context = context;
        this.root = root;
        this.local = local;
    }

    /**
     * Opens the folder {@code uri}, making it if needed, and checks that a file can be written
     * there.
     *
     * @throws SpikebitException (one line) for a malformed URI, a scheme without a filesystem, or a
     *                           folder that cannot be made or written
     */
    static HadoopFolder open(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri.replaceAll("/+$", ""));
        } catch (URISyntaxException e) {
            throw new SpikebitException("--out " + uri + ": not a valid URI (" + e.getMessage() + ")");
        }
        Configuration conf = configuration();
        FileSystem fs;
        FileContext context;
        try {
            fs = FileSystem.get(parsed, conf); // cached per scheme, authority and user: never closed here
            context = FileContext.getFileContext(fs.getUri(), conf);
        } catch (UnsupportedFileSystemException e) {
            throw new SpikebitException(
                    "--out " + uri + ": no Hadoop filesystem for the scheme \"" + parsed.getScheme()
                            + "\" (hdfs and file come with Spark; s3a, gs, abfs need their connector's jars on the class path)");
        } catch (IOException | RuntimeException e) {
            throw new SpikebitException("--out " + uri + ": cannot reach the filesystem (" + oneLine(e) + ")", e);
        }
        org.apache.hadoop.fs.Path root = fs.makeQualified(new org.apache.hadoop.fs.Path(parsed));
        try {
            if (!fs.mkdirs(root)) {
                throw new IOException("mkdirs returned false");
            }
            org.apache.hadoop.fs.Path probe =
                    new org.apache.hadoop.fs.Path(root, ".spikebit-write-check-" + UUID.randomUUID());
            try (OutputStream out = fs.create(probe, false)) {
                out.write('\n');
            }
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new SpikebitException("--out " + uri + ": cannot write there (" + oneLine(e) + ")", e);
        }
        try {
            return new HadoopFolder(uri, fs, context, root, Files.createTempDirectory("spikebit-out-"));
        } catch (IOException e) {
            throw new SpikebitException(
                    "cannot make a local folder for the copy of " + uri + " (" + oneLine(e) + ")", e);
        }
    }

    /** Hadoop's configuration with the Spark configuration's {@code spark.hadoop.*} settings, as Spark's own. */
    static Configuration configuration() {
        Configuration conf = new Configuration();
        SparkEnv env = SparkEnv.get();
        SparkConf spark = env != null ? env.conf() : new SparkConf();
        for (Tuple2<String, String> setting : spark.getAllWithPrefix("spark.hadoop.")) {
            conf.set(setting._1(), setting._2());
        }
        return conf;
    }

    @Override
    public Path local() {
        return local;
    }

    @Override
    public void fetch(Predicate<String> folders) {
        try {
            int files = 0;
            for (FileStatus s : fs.listStatus(root)) {
                String name = s.getPath().getName();
                if (hidden(name)) {
                    continue;
                }
                if (s.isDirectory() ? folders.test(name) : folders.test("")) {
                    files += copyIn(s, local.resolve(name));
                }
            }
            if (files > 0) {
                System.err.printf("spikebit: copied %d files of %s into %s%n", files, uri, local);
            }
        } catch (IOException e) {
            throw new SpikebitException(uri + ": cannot read (" + oneLine(e) + ")", e);
        }
    }

    private int copyIn(FileStatus from, Path to) throws IOException {
        if (from.isDirectory()) {
            Files.createDirectories(to);
            int files = 0;
            for (FileStatus s : fs.listStatus(from.getPath())) {
                if (!hidden(s.getPath().getName())) {
                    files += copyIn(s, to.resolve(s.getPath().getName()));
                }
            }
            return files;
        }
        Path partial = to.resolveSibling("." + to.getFileName() + ".fetch");
        try (InputStream in = fs.open(from.getPath())) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING);
        copied.put(local.relativize(to), Stamp.of(to));
        return 1;
    }

    @Override
    public synchronized void save() {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(local)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(f -> !hidden(f.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            Path relative = local.relativize(file);
            try {
                Stamp stamp = Stamp.of(file);
                if (stamp.equals(copied.get(relative))) {
                    continue;
                }
                org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, relative.toString());
                org.apache.hadoop.fs.Path temporary = new org.apache.hadoop.fs.Path(
                        target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
                try (OutputStream out = fs.create(temporary, true)) {
                    Files.copy(file, out);
                }
                context.rename(temporary, target, Options.Rename.OVERWRITE);
                copied.put(relative, stamp);
            } catch (IOException e) {
                throw new SpikebitException(uri + "/" + relative + ": cannot write (" + oneLine(e) + ")", e);
            }
        }
    }

    @Override
    public void close() {
        try {
            save();
        } finally {
            try (Stream<Path> walk = Files.walk(local)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.err.printf("spikebit: could not delete the local copy %s (%s)%n", local, oneLine(e));
            }
        }
    }

    /** Hidden and temporary files (ours, Hadoop's {@code _} and {@code .} files) are neither fetched nor saved. */
    private static boolean hidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    private static String oneLine(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : OneLine.firstLine(e.getMessage());
    }
}
