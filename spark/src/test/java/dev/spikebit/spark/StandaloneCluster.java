package dev.spikebit.spark;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on this machine, started from the Maven jars: one master and
 * {@code n} workers, each a JVM of its own, bound to 127.0.0.1, one core and a little memory per
 * worker. Executors are started by the workers as Spark does on a cluster: from the Spark jars in
 * {@code SPARK_HOME/jars} (here a link to the Maven jars the build copied) plus {@code
 * spark.executor.extraClassPath}.
 *
 * <p>The tests that need it are skipped only on an explicit opt-out, {@code
 * SPIKEBIT_SKIP_SPARK_CLUSTER=1} or {@code -Dspikebit.skipSparkCluster=true} (CI never sets
 * either); otherwise a cluster that does not come up fails them.
 */
final class StandaloneCluster implements AutoCloseable {
    static final String OPT_OUT_VARIABLE = "SPIKEBIT_SKIP_SPARK_CLUSTER";
    static final String OPT_OUT_PROPERTY = "spikebit.skipSparkCluster";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final String masterUrl;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();

    private StandaloneCluster(Path dir, String masterUrl, Process master) {
        this.dir = dir;
        this.masterUrl = masterUrl;
        this.master = master;
    }

    /** Skips the calling test when (and only when) the opt-out is set. */
    static void assumeNotOptedOut() {
        assumeFalse(
                "1".equals(System.getenv(OPT_OUT_VARIABLE)) || Boolean.getBoolean(OPT_OUT_PROPERTY),
                "the Spark cluster tests are switched off by " + OPT_OUT_VARIABLE + " or -D" + OPT_OUT_PROPERTY);
    }

    /** Starts a master and {@code workers} workers (1 core, {@code workerMemory} each) in {@code dir}. */
    static StandaloneCluster start(Path dir, int workerCount, String workerMemory)
            throws IOException, InterruptedException {
        Path sparkHome = dir.resolve("spark-home");
        Files.createDirectories(sparkHome);
        Path jars = sparkHome.resolve("jars");
        if (!Files.exists(jars)) {
            Files.createSymbolicLink(jars, sparkLib());
        }
        // The master and workers log at INFO (the start-up waits for their lines), not spikebit's WARN.
        Files.writeString(
                dir.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = info",
                        "rootLogger.appenderRef.out.ref = out",
                        "appender.out.type = Console",
                        "appender.out.name = out",
                        "appender.out.layout.type = PatternLayout",
                        "appender.out.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex",
                        ""));
        int port = freePort();
        String url = "spark://127.0.0.1:" + port;
        Process master = launch(
                dir,
                sparkHome,
                "master",
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--webui-port",
                Integer.toString(freePort()));
        StandaloneCluster cluster = new StandaloneCluster(dir, url, master);
        try {
            cluster.awaitLog(master, dir.resolve("master.log"), "I have been elected leader");
            for (int i = 0; i < workerCount; i++) {
                Path work = dir.resolve("work-" + i);
                Files.createDirectories(work);
                cluster.workers.add(launch(
                        dir,
                        sparkHome,
                        "worker-" + i,
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        "1",
                        "--memory",
                        workerMemory,
                        "--webui-port",
                        Integer.toString(freePort()),
                        "--work-dir",
                        work.toString(),
                        url));
            }
            for (int i = 0; i < workerCount; i++) {
                cluster.awaitLog(
                        cluster.workers.get(i),
                        dir.resolve("worker-" + i + ".log"),
                        "Successfully registered with master");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    String masterUrl() {
        return masterUrl;
    }

    Path dir() {
        return dir;
    }

    /** Kills worker {@code i} and the executor it started, as when a machine goes away. */
    void killWorker(int i) {
        kill(workers.get(i));
    }

    @Override
    public void close() {
        workers.forEach(StandaloneCluster::kill);
        kill(master);
    }

    private static void kill(Process p) {
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The Spark jars (and their libraries) the build copied into a folder of their own. */
    static Path sparkLib() {
        String lib = System.getProperty("spikebit.spark.lib");
        if (lib == null || !Files.isDirectory(Path.of(lib))) {
            throw new IllegalStateException("spikebit.spark.lib is not set to the Spark jars folder (the spark "
                    + "module's pom sets it to target/spark-lib)");
        }
        return Path.of(lib).toAbsolutePath();
    }

    /** The class path of this test JVM: executors get it through spark.executor.extraClassPath. */
    static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static Process launch(Path dir, Path sparkHome, String name, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(
                List.of(System.getProperty("spikebit.spark.flags", "").trim().split("\\s+")));
        // Spark's jars with the libraries it shares with spikebit (the test class path holds both).
        command.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", testClassPath(), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
        builder.redirectErrorStream(true);
        builder.redirectOutput(dir.resolve(name + ".log").toFile());
        return builder.start();
    }

    private void awaitLog(Process p, Path log, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(
                        log + ": the process ended before \"" + line + "\":\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                log + ": no \"" + line + "\" within " + START_TIMEOUT + ":\n" + Files.readString(log));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
