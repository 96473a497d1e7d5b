package dev.spikebit.core.neuron.surrogate;

import dev.spikebit.core.SpikebitException;

/** The check every surrogate's shape parameter passes. */
final class SurrogateParameters {
    private SurrogateParameters() {}

    /** Returns {@code value} if it is finite and strictly positive, else names what is wrong. */
    static float positive(String surrogate, String parameter, float value) {
        if (!(value > 0f) || !Float.isFinite(value)) {
            throw new SpikebitException(
                    surrogate + " surrogate: " + parameter + " must be a finite number > 0, got " + value);
        }
        return value;
    }
}
