package dev.spikebit.data.events;

import static dev.spikebit.data.events.EventFileBytes.atisEvent;
import static dev.spikebit.data.events.EventFileBytes.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frame cache assembled from blocks binned apart ({@link CachedFrameDataset#binBlock}, as executors
 * bin them) is the file {@link CachedFrameDataset#open} builds on one machine, byte for byte.
 */
class FrameCacheBlocksTest {

    @TempDir
    Path dir;

    private static final FrameBinning BINNING = new FrameBinning(3, BinningMode.EVENT_COUNT, 34, 34);

    /** Seven N-MNIST test recordings of three digits, as ATIS .bin files, with varied events. */
    private void writeNmnistTestSplit() throws IOException {
        for (int i = 0; i < 7; i++) {
            int digit = i % 3;
            Path file = dir.resolve("Test").resolve(Integer.toString(digit)).resolve(String.format("%05d.bin", i));
            Files.createDirectories(file.getParent());
            byte[][] events = new byte[5 + i][];
            for (int e = 0; e < events.length; e++) {
                events[e] = atisEvent((3 * e + i) % 34, (5 * e + 2 * i) % 34, e % 2, 10 * e + i);
            }
            Files.write(file, concat(events));
        }
    }

    @Test
    void blocksAssembledInOrderMakeTheSingleMachineFileByteForByte() throws IOException {
        writeNmnistTestSplit();
        EventSampleSource source = EventDatasets.source("nmnist", false, dir);
        assertThat(source.size()).isEqualTo(7);
        Path one = dir.resolve("one-machine");
        Path blocks = dir.resolve("blocks");

        CachedFrameDataset built = CachedFrameDataset.open(source, BINNING, one);
        assertThat(CachedFrameDataset.isCached(source, BINNING, blocks)).isFalse();
        List<byte[]> parts = List.of(
                CachedFrameDataset.binBlock(source, BINNING, 0, 3),
                CachedFrameDataset.binBlock(source, BINNING, 3, 3), // an empty range is a block too
                CachedFrameDataset.binBlock(source, BINNING, 3, 4),
                CachedFrameDataset.binBlock(source, BINNING, 4, 7));
        CachedFrameDataset assembled = CachedFrameDataset.assemble(source, BINNING, blocks, parts.iterator());

        assertThat(assembled.file()).isEqualTo(CachedFrameDataset.cacheFile(source, BINNING, blocks));
        assertThat(assembled.file().getFileName()).isEqualTo(built.file().getFileName());
        assertThat(Files.readAllBytes(assembled.file())).isEqualTo(Files.readAllBytes(built.file()));
        assertThat(CachedFrameDataset.isCached(source, BINNING, blocks)).isTrue();
        try (Stream<Path> files = Files.list(blocks)) {
            assertThat(files.toList()).containsExactly(assembled.file()); // no temporary file left behind
        }
    }

    @Test
    void blocksThatDoNotCoverTheSourceAreRefusedAndLeaveNoFile() throws IOException {
        writeNmnistTestSplit();
        EventSampleSource source = EventDatasets.source("nmnist", false, dir);
        Path cache = dir.resolve("cache");
        List<byte[]> missingOne = List.of(CachedFrameDataset.binBlock(source, BINNING, 0, 6));
        assertThatThrownBy(() -> CachedFrameDataset.assemble(source, BINNING, cache, missingOne.iterator()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not the")
                .hasMessageContaining("7 samples");
        List<byte[]> oneTooMany = List.of(
                CachedFrameDataset.binBlock(source, BINNING, 0, 7), CachedFrameDataset.binBlock(source, BINNING, 6, 7));
        assertThatThrownBy(() -> CachedFrameDataset.assemble(source, BINNING, cache, oneTooMany.iterator()))
                .isInstanceOf(DataException.class);
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.toList()).isEmpty();
        }
        assertThatThrownBy(() -> CachedFrameDataset.binBlock(source, BINNING, 5, 8))
                .hasMessageContaining("outside nmnist/test");
    }

    @Test
    void theCachedSplitsAreTheFilesLoadReads() throws IOException {
        writeNmnistTestSplit();
        var frames = new DatasetChoice.Frames(3, BinningMode.EVENT_COUNT, 0, dir.resolve("cache"));
        List<DatasetChoice.CachedSplit> splits =
                DatasetChoice.cachedSplits(DatasetName.NMNIST, dir, 0, 5, frames, false, true);
        assertThat(splits).hasSize(1);
        DatasetChoice.CachedSplit split = splits.getFirst();
        assertThat(split.source().size()).isEqualTo(5); // 5 evenly spaced of 7, as load takes them
        assertThat(split.isCached()).isFalse();
        int size = split.source().size();
        CachedFrameDataset.assemble(
                split.source(),
                split.binning(),
                split.cacheDir(),
                List.of(CachedFrameDataset.binBlock(split.source(), split.binning(), 0, size))
                        .iterator());
        assertThat(split.isCached()).isTrue();
        var modified = Files.getLastModifiedTime(
                CachedFrameDataset.cacheFile(split.source(), split.binning(), split.cacheDir()));
        // opening the split as load does finds the file rather than binning again
        CachedFrameDataset opened = CachedFrameDataset.open(split.source(), split.binning(), split.cacheDir());
        assertThat(opened.size()).isEqualTo(5);
        assertThat(Files.getLastModifiedTime(opened.file())).isEqualTo(modified);
        assertThat(DatasetChoice.cachedSplits(DatasetName.FASHION_MNIST, null, 0, 0, frames, true, true))
                .isEmpty();
    }
}
