package dev.spikebit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikebit.cli.train.TrainConfig;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;

/** Reads the training configuration a checkpoint was made with. */
final class TrainConfigs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainConfigs() {}

    /** The saved configuration; {@code epochs}, when given (not null), sets a new total for the run. */
    static TrainConfig fromCheckpoint(Checkpoint checkpoint, Integer epochs) {
        String json = checkpoint.info("train_config", null);
        if (json == null) {
            throw new SpikebitException(
                    checkpoint.source() + ": holds no training configuration and cannot be resumed");
        }
        try {
            TrainConfig c = JSON.readValue(json, TrainConfig.class);
            return new TrainConfig(
                    c.spec(),
                    epochs == null ? c.epochs() : epochs,
                    c.batchSize(),
                    c.optimizer(),
                    c.lr(),
                    c.weightDecay(),
                    c.momentum(),
                    c.schedule(),
                    c.loss(),
                    c.augment(),
                    c.seed(),
                    c.trainLimit(),
                    c.testLimit());
        } catch (Exception e) {
            throw new SpikebitException(
                    checkpoint.source() + ": the saved training configuration is not valid: " + e.getMessage());
        }
    }
}
