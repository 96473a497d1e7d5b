package dev.spikebit.data.loader;

/**
 * The seeds that make a loader repeatable: one per epoch for the shuffle, one per (epoch, sample)
 * for augmentation. Each is a pure function of the loader's seed and the numbers it names, so an
 * epoch can be replayed or resumed on its own, and no result depends on thread timing.
 */
final class Seeds {
    // Different constants keep the shuffle's and the samples' streams apart for the same seed.
    private static final long SHUFFLE_STREAM = 0x2545F4914F6CDD1DL;
    private static final long SAMPLE_STREAM = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    static long shuffle(long seed, int epoch) {
        return mix(mix(seed ^ SHUFFLE_STREAM) + epoch);
    }

    static long sample(long seed, int epoch, int index) {
        return mix(mix(mix(seed ^ SAMPLE_STREAM) + epoch) + index);
    }

    /**
     * SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
     * generators", 2014): a bijection on 64-bit values that scatters consecutive inputs.
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
