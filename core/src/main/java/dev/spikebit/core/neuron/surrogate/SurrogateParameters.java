package dev.spikebit.core.neuron.surrogate;

import dev.spikebit.core.SpikebitException;

/** The check every surrogate's shape parameter passes, and how it is written. */
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

    /**
     * {@code name:value}, a whole value without a fraction ({@code atan:2}, as model descriptions
     * have always stored the default), any other as the shortest decimal that reads back to it.
     */
    static String spec(String name, float value) {
        boolean whole = value == Math.rint(value) && Math.abs(value) < 1e7f;
        return name + ":" + (whole ? Long.toString((long) value) : Float.toString(value));
    }
}
