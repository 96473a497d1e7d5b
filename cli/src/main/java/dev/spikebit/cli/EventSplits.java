package dev.spikebit.cli;

import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.events.BinningMode;
import java.nio.file.Path;
import java.util.List;

/**
 * The train and test splits {@code train --spark} loads on the driver, described so that the
 * cluster can bin their event recordings into the frame caches in parallel before anyone loads them.
 *
 * @param dataDir  where the dataset is, or null for the usual places
 * @param mode     the {@link BinningMode}'s name
 * @param cacheDir the frame cache folder, or null for the default
 */
record EventSplits(
        String dataset,
        String dataDir,
        int trainLimit,
        int testLimit,
        int timeSteps,
        String mode,
        int frameSize,
        String cacheDir)
        implements ClusterBackend.FrameCaches {
    static EventSplits of(String dataset, Path dataDir, int trainLimit, int testLimit, DatasetChoice.Frames frames) {
        return new EventSplits(
                DatasetName.of(dataset).id(),
                dataDir == null ? null : dataDir.toAbsolutePath().toString(),
                trainLimit,
                testLimit,
                frames.timeSteps(),
                frames.mode().name(),
                frames.size(),
                frames.cacheDir() == null
                        ? null
                        : frames.cacheDir().toAbsolutePath().toString());
    }

    @Override
    public List<DatasetChoice.CachedSplit> cachedSplits() {
        var frames = new DatasetChoice.Frames(
                timeSteps, BinningMode.valueOf(mode), frameSize, cacheDir == null ? null : Path.of(cacheDir));
        return DatasetChoice.cachedSplits(
                DatasetName.of(dataset),
                dataDir == null ? null : Path.of(dataDir),
                trainLimit,
                testLimit,
                frames,
                true,
                true);
    }
}
