package dev.spikebit.data.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EventFrameDataset} (frames in memory) and {@link CachedFrameDataset} (frames in a file). */
class FrameDatasetTest {

    @TempDir
    Path cacheDir;

    private static final FrameBinning BINNING = new FrameBinning(4, BinningMode.EVENT_COUNT, 12, 16);

    private static float[] sample(dev.spikebit.data.Dataset d, int i) {
        float[] out = new float[d.sampleSize() + 2];
        d.copySample(i, out, 2);
        return java.util.Arrays.copyOfRange(out, 2, out.length);
    }

    @Test
    void framesAreTheBinnedEventsWithShapeAndTimeSteps() {
        CountingSource source = new CountingSource(5, 300, 1);
        EventFrameDataset d = new EventFrameDataset(source, BINNING, false);
        assertThat(d.sampleShape()).containsExactly(4, 2, 12, 16);
        assertThat(d.timeSteps()).isEqualTo(4);
        assertThat(d.numClasses()).isEqualTo(3);
        assertThat(d.label(4)).isEqualTo(1);
        assertThat(sample(d, 3)).isEqualTo(BINNING.bin(source.events(3)));
    }

    @Test
    void theMemoryCacheBinsEachSampleOnceAndKeepsLargeCountsExact() {
        CountingSource source = new CountingSource(3, 2_000, 2);
        FrameBinning coarse = new FrameBinning(1, BinningMode.DURATION, 1, 1); // ~1000 events per pixel: char[]
        for (FrameBinning binning : new FrameBinning[] {BINNING, coarse}) {
            source.reads.set(0);
            EventFrameDataset d = new EventFrameDataset(source, binning, true);
            float[] first = sample(d, 1);
            float[] again = sample(d, 1);
            assertThat(source.reads.get()).isEqualTo(1);
            assertThat(again).isEqualTo(first).isEqualTo(binning.bin(source.events(1)));
        }
    }

    @Test
    void theDiskCacheIsBuiltOnceAndReadBackExactly() {
        CountingSource source = new CountingSource(6, 500, 3);
        CachedFrameDataset built = CachedFrameDataset.open(source, BINNING, cacheDir);
        assertThat(source.reads.get()).isEqualTo(6);
        assertThat(built.file().getFileName().toString())
                .startsWith("counting_test-T4-count-12x16-")
                .endsWith(".frames");

        CachedFrameDataset reopened = CachedFrameDataset.open(source, BINNING, cacheDir);
        assertThat(source.reads.get()).isEqualTo(6); // the second epoch / run reads no events
        assertThat(reopened.size()).isEqualTo(6);
        assertThat(reopened.timeSteps()).isEqualTo(4);
        for (int i = 0; i < 6; i++) {
            assertThat(reopened.label(i)).isEqualTo(i % 3);
            assertThat(sample(reopened, i)).isEqualTo(BINNING.bin(new CountingSource(6, 500, 3).events(i)));
        }
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files.toList()).containsExactly(built.file()); // no temporary file left behind
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDamagedCacheIsRebuilt() throws IOException {
        CountingSource source = new CountingSource(4, 200, 4);
        Path file = CachedFrameDataset.open(source, BINNING, cacheDir).file();
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7F}), size - 5); // one count in the last sample
        }
        CachedFrameDataset rebuilt = CachedFrameDataset.open(source, BINNING, cacheDir);
        assertThat(source.reads.get()).isEqualTo(8);
        assertThat(sample(rebuilt, 3)).isEqualTo(BINNING.bin(source.events(3)));

        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 2); // a truncated file
        }
        CachedFrameDataset.open(source, BINNING, cacheDir);
        assertThat(source.reads.get()).isEqualTo(4 + 4 + 1 + 4);
    }

    @Test
    void anotherBinningOrSourceGetsAnotherFile() {
        CountingSource source = new CountingSource(2, 100, 5);
        Path a = CachedFrameDataset.open(source, BINNING, cacheDir).file();
        Path b = CachedFrameDataset.open(source, new FrameBinning(4, BinningMode.DURATION, 12, 16), cacheDir)
                .file();
        Path c = CachedFrameDataset.open(new CountingSource(2, 101, 5), BINNING, cacheDir)
                .file();
        assertThat(a).isNotEqualTo(b).isNotEqualTo(c);
        assertThat(b).isNotEqualTo(c);
    }
}
