package dev.spikebit.data.augment;

import java.util.List;
import java.util.random.RandomGenerator;

/** Several augmentations applied in order to the same sample, sharing its random generator. */
public record Compose(List<Augmentation> steps) implements Augmentation {

    public Compose {
        steps = List.copyOf(steps);
    }

    @Override
    public void apply(float[] data, int offset, int[] shape, RandomGenerator rng) {
        for (Augmentation step : steps) {
            step.apply(data, offset, shape, rng);
        }
    }
}
