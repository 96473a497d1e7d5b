package dev.spikebit.cli;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.events.BinningMode;
import java.nio.file.Path;
import java.util.List;

/**
 * The test split {@code eval --spark} scores, described so that each executor loads it from its own
 * usual places (or {@code dataDir}). Event recordings are binned into the frame cache in parallel
 * over the executors before they load it ({@link ClusterBackend.FrameCaches}); the cache folder must
 * be one the executors share with the driver for them to read it rather than bin the split again.
 *
 * @param dataset   the dataset's command-line name
 * @param dataDir   where the dataset is on the executors, or null for the usual places
 * @param testLimit the first N test samples (0 = all)
 * @param mode      event data: the {@link BinningMode}'s name
 * @param cacheDir  event data: the frame cache folder, or null for the default
 */
record TestSplit(
        String dataset, String dataDir, int testLimit, int timeSteps, String mode, int frameSize, String cacheDir)
        implements ClusterBackend.DataSplit {
    @Override
    public Dataset load() {
        return DatasetChoice.load(DatasetName.of(dataset), data(), 1, testLimit, frames())
                .test();
    }

    @Override
    public List<DatasetChoice.CachedSplit> cachedSplits() {
        return DatasetChoice.cachedSplits(DatasetName.of(dataset), data(), 1, testLimit, frames(), false, true);
    }

    private Path data() {
        return dataDir == null ? null : Path.of(dataDir);
    }

    private DatasetChoice.Frames frames() {
        return new DatasetChoice.Frames(
                timeSteps, BinningMode.valueOf(mode), frameSize, cacheDir == null ? null : Path.of(cacheDir));
    }
}
