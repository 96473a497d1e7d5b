package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --out hdfs://...}: a real HDFS in this JVM (Hadoop's MiniDFSCluster, a name node and a
 * data node on loopback ports). A task that fails after its first checkpoint is retried and its
 * second attempt resumes from the checkpoint the first saved on HDFS; the second save replaces
 * the file through HDFS's rename with overwrite, and leaves no temporary file.
 */
class HdfsOutputTest {
    @TempDir
    static Path dir;

    private static MiniDFSCluster hdfs;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        // No WebHDFS: its web server scans the class path's jars for resources, a minute of start-up.
        conf.setBoolean("dfs.webhdfs.enabled", false);
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void aRetriedTaskResumesFromItsCheckpointOnHdfs() throws IOException {
        String uri = hdfs.getURI() + "/runs/experiment";
        FileSystem fs = hdfs.getFileSystem();
        try (var out = fs.create(new org.apache.hadoop.fs.Path(uri + "/other-seed2/big.bin"))) {
            out.write("not this task's".getBytes(StandardCharsets.UTF_8));
        }
        new SparkBackend().runAll("local[1,2]", "hdfs retry test", List.of(new LocalSparkTest.FailingOnce(uri)));

        assertThat(read(fs, uri + "/run-seed1/attempts.txt")).isEqualTo("2");
        assertThat(read(fs, uri + "/run-seed1/done.txt")).isEqualTo("resumed after attempt 1, saw [run-seed1]");
        FileStatus[] files = fs.listStatus(new org.apache.hadoop.fs.Path(uri + "/run-seed1"));
        assertThat(Arrays.stream(files).map(f -> f.getPath().getName()))
                .containsExactlyInAnyOrder("attempts.txt", "done.txt");
    }

    private static String read(FileSystem fs, String file) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
