package dev.spikebit.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A training split divided into the images a run trains on and a validation set held out of them,
 * on which hyperparameters are chosen so that the test set is only ever scored, never tuned on.
 *
 * <p>The held-out images are a fixed function of the training split and the validation size: a
 * Fisher-Yates shuffle of the indices drawn from {@link #SEED} (not from the run's seed), so every
 * run, seed and process of an experiment holds out the same images and no run trains on another's
 * validation images. Both parts keep the training split's order.
 *
 * @param train      the images a run trains on (the training split without the validation images)
 * @param validation the held-out images
 */
public record ValidationSplit(IndexedSubset train, IndexedSubset validation) {
    /** The seed of the shuffle that picks the held-out images, the same for every run. */
    public static final long SEED = 0x5EED_0F_7A1DL;

    /**
     * Holds {@code size} images of {@code training} out as the validation set.
     *
     * @throws DataException unless {@code 0 < size < training.size()}
     */
    public static ValidationSplit of(Dataset training, int size) {
        int n = training.size();
        if (size <= 0 || size >= n) {
            throw new DataException("--validation " + size + ": the validation set must hold 1.." + (n - 1) + " of the "
                    + n + " images of " + training.name());
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] held = Arrays.copyOf(order, size);
        int[] kept = Arrays.copyOfRange(order, size, n);
        Arrays.sort(held);
        Arrays.sort(kept);
        return new ValidationSplit(
                new IndexedSubset(training.name() + "-without-validation-" + size, training, kept),
                new IndexedSubset(training.name() + "-validation-" + size, training, held));
    }
}
