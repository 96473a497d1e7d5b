package dev.spikebit.spark;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Opens the Spark context of one command. Settings come from Spark's own sources first ({@code
 * spark.*} system properties, e.g. through {@code SPIKEBIT_JAVA_OPTS}); spikebit only fills in what
 * is missing:
 *
 * <ul>
 *   <li>no web UI (a command is one short job);
 *   <li>in local mode, the driver on the loopback address;
 *   <li>{@code spark.jars}: the spikebit jars and their libraries from the driver's class path, so
 *       executors of a cluster whose Spark knows nothing of spikebit get its classes (unless the
 *       executors already have them through {@code spark.executor.extraClassPath});
 *   <li>the executors' kernel thread pool as large as their cores ({@code SPIKEBIT_THREADS}), when
 *       {@code spark.executor.cores} is set;
 *   <li>on a cluster, the executors' JVM options ({@link #executorJvmOptions}), unless {@code
 *       spark.executor.extraJavaOptions} is set.
 * </ul>
 */
final class SparkSessions {
    private SparkSessions() {}

    static JavaSparkContext open(String master, String appName) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName(appName);
        conf.setIfMissing("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        } else if (!conf.contains("spark.jars") && !conf.contains("spark.executor.extraClassPath")) {
            List<String> jars = applicationJars();
            if (!jars.isEmpty()) {
                conf.set("spark.jars", String.join(",", jars));
            }
        }
        if (conf.contains("spark.executor.cores") && !conf.contains("spark.executorEnv.SPIKEBIT_THREADS")) {
            conf.set("spark.executorEnv.SPIKEBIT_THREADS", conf.get("spark.executor.cores"));
        }
        if (!master.startsWith("local") && !conf.contains("spark.executor.extraJavaOptions")) {
            conf.set("spark.executor.extraJavaOptions", executorJvmOptions(conf.get("spark.executor.cores", null)));
        }
        JavaSparkContext context = new JavaSparkContext(new SparkContext(conf));
        context.setLogLevel("WARN");
        return context;
    }

    /**
     * The executors' JVM options: the parallel collector, which the launcher uses for training
     * (docs/performance.md, "Memory"), instead of the JVM's default, and, when the executor's cores
     * are known, a JVM sized to them: an executor JVM otherwise sees every core of its machine and
     * sizes its garbage collector's and JIT compiler's threads to all of them, which then compete
     * with the other executors of the machine for the cores those were given.
     */
    static String executorJvmOptions(String coresOrNull) {
        String options = "-XX:+UseParallelGC";
        if (coresOrNull != null && coresOrNull.trim().matches("[1-9]\\d{0,5}")) {
            options += " -XX:ActiveProcessorCount=" + coresOrNull.trim();
        }
        return options;
    }

    /**
     * The jars of the driver's class path that Spark does not bring itself: every jar outside the
     * folder Spark's own jar was loaded from (the launcher keeps Spark's jars in a folder of their
     * own, as a Spark installation does).
     */
    static List<String> applicationJars() {
        Path sparkFolder;
        try {
            sparkFolder = Path.of(SparkContext.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return List.of();
        }
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (entry.endsWith(".jar")
                    && Files.isRegularFile(p)
                    && !p.getParent().equals(sparkFolder)) {
                jars.add(p.toString());
            }
        }
        return jars;
    }
}
