package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import java.util.List;

/**
 * Range checks for numeric command-line options. Each failure is a {@link SpikebitException} whose
 * message names the option, its allowed range and the value given, e.g.
 * {@code --batch must be >= 1, got 0}.
 */
final class OptionRanges {
    private OptionRanges() {}

    static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new SpikebitException(option + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    static int between(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new SpikebitException(option + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static void allBetween(String option, List<Integer> values, int min, int max) {
        if (values != null) {
            for (int v : values) {
                between(option, v, min, max);
            }
        }
    }

    /** A finite number above zero (learning rates). */
    static float positive(String option, float value) {
        if (!Float.isFinite(value) || value <= 0) {
            throw new SpikebitException(option + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** A finite number at or above zero (loss weights, weight decay). */
    static float nonNegative(String option, float value) {
        if (!Float.isFinite(value) || value < 0) {
            throw new SpikebitException(option + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** A finite number in [0, 1) (momentum). */
    static float fraction(String option, float value) {
        if (!(value >= 0 && value < 1)) {
            throw new SpikebitException(option + " must be in [0, 1), got " + value);
        }
        return value;
    }
}
