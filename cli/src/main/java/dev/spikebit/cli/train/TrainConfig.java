package dev.spikebit.cli.train;

import dev.spikebit.core.models.ModelSpec;

/**
 * Everything a training run depends on besides the data; saved in checkpoints so that
 * {@code --resume} continues with the same settings.
 *
 * @param spec        the model to train
 * @param epochs      total number of epochs (a resumed run continues up to this number)
 * @param batchSize   images per batch
 * @param optimizer   {@code adam}, {@code adamw} or {@code sgd}
 * @param lr          base learning rate
 * @param weightDecay weight decay (weights only, docs/methods.md 5)
 * @param momentum    SGD momentum
 * @param schedule    {@code cosine}, {@code constant} or {@code step:EVERY:GAMMA}, stepped per batch
 * @param loss        {@code ce} (cross-entropy of the time-mean output) or {@code tet}
 * @param augment     random crop (pad 2 for 28x28, 4 otherwise) and horizontal flip
 * @param seed        fixes initialisation, shuffling and augmentation
 * @param trainLimit  use only the first N training images (0 = all)
 * @param testLimit   evaluate on the first N test images (0 = all)
 */
public record TrainConfig(
        ModelSpec spec,
        int epochs,
        int batchSize,
        String optimizer,
        float lr,
        float weightDecay,
        float momentum,
        String schedule,
        String loss,
        boolean augment,
        long seed,
        int trainLimit,
        int testLimit) {}
