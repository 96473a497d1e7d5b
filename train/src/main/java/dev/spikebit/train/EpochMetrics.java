package dev.spikebit.train;

/** What one epoch of training measured; one row of {@code metrics.json}. */
public record EpochMetrics(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testLoss,
        double testAccuracy,
        double imagesPerSecond,
        double seconds,
        double learningRate) {}
