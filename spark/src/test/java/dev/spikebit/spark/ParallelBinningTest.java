package dev.spikebit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.cli.ClusterBackend;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.events.BinningMode;
import dev.spikebit.data.events.CachedFrameDataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event recordings binned into a frame cache over the executors ({@link ParallelBinning}): the file
 * is the one a single machine builds, byte for byte; {@code eval --spark} on a dataset without a
 * cache scores as single-machine {@code eval} does, and {@code eval --spark} and {@code train --spark}
 * leave the single-machine cache files.
 */
class ParallelBinningTest {

    @TempDir
    Path dir;

    /**
     * An N-MNIST folder of ATIS .bin recordings (5 bytes an event: x, y, polarity and 23 timestamp
     * bits), each digit's events clustered at a place of its own so that a model can tell them apart.
     */
    private Path writeNmnist(int perDigitTrain, int perDigitTest) throws IOException {
        Path root = dir.resolve("N-MNIST");
        SplittableRandom random = new SplittableRandom(17);
        for (String split : new String[] {"Train", "Test"}) {
            int count = split.equals("Train") ? perDigitTrain : perDigitTest;
            for (int digit = 0; digit < 3; digit++) {
                for (int id = 0; id < count; id++) {
                    Path file =
                            root.resolve(split).resolve(Integer.toString(digit)).resolve(String.format("%05d.bin", id));
                    Files.createDirectories(file.getParent());
                    int events = 40 + random.nextInt(40);
                    ByteBuffer bytes = ByteBuffer.allocate(5 * events);
                    for (int e = 0; e < events; e++) {
                        int x = Math.clamp(6 + 10 * digit + random.nextInt(9) - 4, 0, 33);
                        int y = Math.clamp(17 + random.nextInt(15) - 7, 0, 33);
                        int t = 100 * e + random.nextInt(50);
                        bytes.put((byte) x).put((byte) y).put((byte) ((e % 2) << 7 | (t >>> 16) & 0x7F));
                        bytes.put((byte) (t >>> 8)).put((byte) t);
                    }
                    Files.write(file, bytes.array());
                }
            }
        }
        return root;
    }

    /** The N-MNIST test split under a binning, read through the cache in {@code cacheDir}. */
    record NmnistTest(String dataDir, String cacheDir) implements ClusterBackend.FrameCaches {
        @Override
        public List<DatasetChoice.CachedSplit> cachedSplits() {
            var frames = new DatasetChoice.Frames(3, BinningMode.EVENT_COUNT, 16, Path.of(cacheDir));
            return DatasetChoice.cachedSplits(DatasetName.NMNIST, Path.of(dataDir), 0, 0, frames, false, true);
        }
    }

    @Test
    void severalTasksBinTheFileOneMachineBuilds() throws IOException {
        Path data = writeNmnist(1, 10);
        NmnistTest onCluster =
                new NmnistTest(data.toString(), dir.resolve("cluster").toString());
        DatasetChoice.CachedSplit split = onCluster.cachedSplits().getFirst();
        Path alone = CachedFrameDataset.open(split.source(), split.binning(), dir.resolve("alone"))
                .file();

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<ParallelBinning.Binned> binned;
        try (JavaSparkContext spark = SparkSessions.open("local[2]", "ParallelBinningTest");
                PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            binned = ParallelBinning.run(spark, onCluster, out);
            // A second run finds the cache and bins nothing.
            assertThat(ParallelBinning.run(spark, onCluster, out)).isEmpty();
        }
        assertThat(binned).hasSize(1);
        assertThat(binned.getFirst().samples()).isEqualTo(30);
        assertThat(binned.getFirst().tasks()).isGreaterThan(1); // 4 ranges per task slot: 8 tasks
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("binned nmnist/test (30 samples)");
        Path built = CachedFrameDataset.cacheFile(split.source(), split.binning(), Path.of(onCluster.cacheDir()));
        assertThat(Files.readAllBytes(built)).isEqualTo(Files.readAllBytes(alone));
        try (Stream<Path> files = Files.list(built.getParent())) {
            assertThat(files.toList()).containsExactly(built); // no temporary file left behind
        }
    }

    @Test
    void rangesCoverTheSplitInOrderWithinTheBlockLimit() {
        List<ParallelBinning.Range> ranges = ParallelBinning.ranges(3, 1000, 1 << 20, 2);
        assertThat(ranges.getFirst().from()).isZero();
        assertThat(ranges.getLast().to()).isEqualTo(1000);
        for (int i = 0; i < ranges.size(); i++) {
            ParallelBinning.Range r = ranges.get(i);
            assertThat(r.split()).isEqualTo(3);
            assertThat((long) (r.to() - r.from()) << 20).isLessThanOrEqualTo(ParallelBinning.BLOCK_BYTES);
            if (i > 0) {
                assertThat(r.from()).isEqualTo(ranges.get(i - 1).to());
            }
        }
        assertThat(ParallelBinning.ranges(0, 5, 100, 8)).hasSize(5); // never an empty range but for an empty split
        assertThat(ParallelBinning.ranges(0, 0, 100, 8)).hasSize(1);
    }

    @Test
    void evalAndTrainOnSparkBinMissingCachesIntoTheSingleMachineFiles() throws IOException {
        Path data = writeNmnist(8, 10);
        Path run = dir.resolve("run");
        SparkCommands.run(trainOneEpoch(data, dir.resolve("train-cache"), run));
        String[] eval = {
            "eval",
            "--checkpoint",
            run.resolve("last.safetensors").toString(),
            "--dataset",
            "nmnist",
            "--data-dir",
            data.toString(),
            "--batch",
            "8"
        };
        Path clusterCache = dir.resolve("cluster-cache");
        Path aloneCache = dir.resolve("alone-cache");
        String withoutSpeed = ", \\d+ images/s";
        String onSpark = SparkCommands.run(concat(eval, "--cache-dir", clusterCache.toString(), "--spark", "local[2]"));
        String alone = SparkCommands.run(concat(eval, "--cache-dir", aloneCache.toString()));
        assertThat(onSpark.replaceAll(withoutSpeed, ""))
                .isEqualTo(alone.replaceAll(withoutSpeed, ""))
                .contains("test accuracy", "(30 images)");
        // The driver wrote the cache from the executors' blocks: the single-machine file, and only it.
        List<Path> clusterFiles = framesIn(clusterCache);
        List<Path> aloneFiles = framesIn(aloneCache);
        assertThat(clusterFiles).hasSize(2); // the test split, and the one training sample eval loads
        assertThat(clusterFiles.stream().map(p -> p.getFileName().toString()))
                .containsExactlyElementsOf(
                        aloneFiles.stream().map(p -> p.getFileName().toString()).toList());
        assertSameFiles(clusterFiles, aloneFiles);

        // train --spark bins the driver's train and test splits (and the replicas' single test
        // sample) on the cluster before loading them: the files of the single-machine training run.
        Path trainCache = dir.resolve("cluster-train-cache");
        SparkCommands.run(concat(
                trainOneEpoch(data, trainCache, dir.resolve("run-on-spark")), "--spark", "local[2]", "--workers", "2"));
        List<Path> single = framesIn(dir.resolve("train-cache"));
        assertThat(single).hasSize(2);
        List<Path> onCluster = framesIn(trainCache).stream()
                .filter(p -> single.stream().anyMatch(q -> q.getFileName().equals(p.getFileName())))
                .toList();
        assertSameFiles(onCluster, single);
    }

    /** One epoch of a small VGG on the recordings in {@code data}, frames cached in {@code cache}. */
    private static String[] trainOneEpoch(Path data, Path cache, Path out) {
        return new String[] {
            "train",
            "--dataset",
            "nmnist",
            "--data-dir",
            data.toString(),
            "--model",
            "vggsnn-s",
            "--T",
            "3",
            "--frame-size",
            "16",
            "--epochs",
            "1",
            "--batch",
            "8",
            "--cache-dir",
            cache.toString(),
            "--out",
            out.toString()
        };
    }

    private static void assertSameFiles(List<Path> actual, List<Path> expected) throws IOException {
        assertThat(actual.stream().map(p -> p.getFileName().toString()))
                .containsExactlyElementsOf(
                        expected.stream().map(p -> p.getFileName().toString()).toList());
        for (int i = 0; i < actual.size(); i++) {
            assertThat(Files.readAllBytes(actual.get(i))).isEqualTo(Files.readAllBytes(expected.get(i)));
        }
    }

    private static List<Path> framesIn(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.sorted().toList();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
