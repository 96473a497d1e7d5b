package dev.spikebit.cli;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.events.BinningMode;
import java.nio.file.Path;

/**
 * The test split {@code eval --spark} scores, described so that each executor loads it from its own
 * usual places (or {@code dataDir}); event recordings are binned into frames there, once per
 * executor, in the executor's frame cache.
 *
 * @param dataset   the dataset's command-line name
 * @param dataDir   where the dataset is on the executors, or null for the usual places
 * @param testLimit the first N test samples (0 = all)
 * @param mode      event data: the {@link BinningMode}'s name
 */
record TestSplit(String dataset, String dataDir, int testLimit, int timeSteps, String mode, int frameSize)
        implements ClusterBackend.DataSplit {
    @Override
    public Dataset load() {
        var frames = new DatasetChoice.Frames(timeSteps, BinningMode.valueOf(mode), frameSize, null);
        return DatasetChoice.load(
                        DatasetName.of(dataset), dataDir == null ? null : Path.of(dataDir), 1, testLimit, frames)
                .test();
    }
}
