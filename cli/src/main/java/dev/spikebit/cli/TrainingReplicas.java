package dev.spikebit.cli;

import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.events.BinningMode;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/**
 * The replicas of {@code train --spark}, described so that an executor can build them: the run's
 * configuration (as the JSON a checkpoint stores it in) and where and how to load its dataset.
 * Executors read the dataset from their own usual places (or {@code dataDir}); a replica loads a
 * single test image, since it never evaluates.
 *
 * @param configJson the run's {@link TrainConfig} as JSON
 * @param dataDir    where the dataset is on the executors, or null for the usual places
 * @param binMode    event data: the binning mode's name
 * @param cacheDir   event data: where the executors keep binned frames, or null for the default
 */
record TrainingReplicas(
        String configJson, String dataset, String dataDir, String binMode, int frameSize, String cacheDir)
        implements ClusterBackend.Replicas {
    static TrainingReplicas of(
            TrainConfig config, String dataset, Path dataDir, String binMode, int frameSize, Path cacheDir) {
        return new TrainingReplicas(
                config.toJson(),
                dataset,
                dataDir == null ? null : dataDir.toAbsolutePath().toString(),
                binMode,
                frameSize,
                cacheDir == null ? null : cacheDir.toAbsolutePath().toString());
    }

    TrainConfig config() {
        return TrainConfig.fromJson(configJson);
    }

    @Override
    public DatasetChoice data() {
        return DatasetChoice.load(DatasetName.of(dataset), dataFolder(), config().trainLimit(), 1, frames());
    }

    /** The replicas' training split and single test sample, binned on the cluster before they load them. */
    @Override
    public List<DatasetChoice.CachedSplit> cachedSplits() {
        return DatasetChoice.cachedSplits(
                DatasetName.of(dataset), dataFolder(), config().trainLimit(), 1, frames(), true, true);
    }

    private Path dataFolder() {
        return dataDir == null ? null : Path.of(dataDir);
    }

    private DatasetChoice.Frames frames() {
        return new DatasetChoice.Frames(
                config().spec().timeSteps(),
                BinningMode.parse(binMode),
                frameSize,
                cacheDir == null ? null : Path.of(cacheDir));
    }

    @Override
    public Trainer replica(DatasetChoice data) {
        TrainConfig config = config();
        return new Trainer(
                config,
                Models.build(config.spec(), config.seed()),
                data.train(),
                data.test(),
                config.augment() ? data.augmentation() : null,
                Path.of("replica-writes-nothing"),
                System.err);
    }
}
