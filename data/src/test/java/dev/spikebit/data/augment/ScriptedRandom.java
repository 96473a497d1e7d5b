package dev.spikebit.data.augment;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGenerator;

/** A "random" generator that returns the values a test scripted, in order, and nothing else. */
final class ScriptedRandom implements RandomGenerator {
    private final Deque<Number> values;

    ScriptedRandom(Number... values) {
        this.values = new ArrayDeque<>(List.of(values));
    }

    @Override
    public int nextInt(int bound) {
        int value = (Integer) values.removeFirst();
        if (value < 0 || value >= bound) {
            throw new AssertionError("scripted " + value + " is outside [0, " + bound + ")");
        }
        return value;
    }

    @Override
    public double nextDouble() {
        return (Double) values.removeFirst();
    }

    @Override
    public long nextLong() {
        throw new AssertionError("unexpected nextLong()");
    }

    boolean exhausted() {
        return values.isEmpty();
    }
}
