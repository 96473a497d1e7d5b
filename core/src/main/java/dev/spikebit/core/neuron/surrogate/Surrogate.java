package dev.spikebit.core.neuron.surrogate;

import dev.spikebit.core.SpikebitException;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;

/**
 * A surrogate gradient: the smooth stand-in for the derivative of the Heaviside step
 * {@code Theta(x)} that a spiking neuron fires with (docs/methods.md section 1). The forward pass always
 * fires with the exact step; only backward uses {@link #derivative(float)}, evaluated at
 * {@code x = H - Vth}.
 *
 * <p>Each surrogate has a scalar and a vectorized derivative that compute the same formula. The
 * vectorized one is called inside the neuron kernels' inner loop, so implementations keep it a
 * handful of lane-wise operations that the JIT inlines.
 */
public sealed interface Surrogate permits ATan, Sigmoid, Triangle, Rectangle {

    /** The surrogate derivative {@code s'(x)} at one point. */
    float derivative(float x);

    /** The surrogate derivative of every lane of {@code x}, in the species of {@code x}. */
    FloatVector derivative(FloatVector x);

    /** The text {@link #parse} reads back into this surrogate, such as {@code atan:2} or {@code sigmoid:2.5}. */
    String spec();

    /** The default of docs/methods.md section 1: {@code atan} with {@code alpha = 2}. */
    static Surrogate defaultSurrogate() {
        return new ATan();
    }

    /**
     * Reads a surrogate from its command-line form: a name, optionally followed by a colon and its
     * parameter ({@code atan}, {@code atan:2}, {@code sigmoid:4}, {@code triangle:1},
     * {@code rectangle:1}). Names are case-insensitive.
     *
     * @throws SpikebitException naming the valid forms when {@code text} is not one of them
     */
    static Surrogate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SpikebitException("surrogate: empty name; " + validForms());
        }
        String trimmed = text.trim();
        int colon = trimmed.indexOf(':');
        String name = (colon < 0 ? trimmed : trimmed.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        Float parameter =
                colon < 0 ? null : parameter(text, trimmed.substring(colon + 1).trim());
        return switch (name) {
            case "atan" -> parameter == null ? new ATan() : new ATan(parameter);
            case "sigmoid" -> parameter == null ? new Sigmoid() : new Sigmoid(parameter);
            case "triangle" -> parameter == null ? new Triangle() : new Triangle(parameter);
            case "rectangle" -> parameter == null ? new Rectangle() : new Rectangle(parameter);
            default ->
                throw new SpikebitException("surrogate '" + text + "': unknown name '" + name + "'; " + validForms());
        };
    }

    private static Float parameter(String text, String value) {
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new SpikebitException(
                    "surrogate '" + text + "': parameter '" + value + "' is not a number; " + validForms());
        }
    }

    /** The accepted forms, quoted by every parse error. */
    private static String validForms() {
        return "valid surrogates are atan[:alpha] (default alpha 2), sigmoid[:alpha] (default 4), "
                + "triangle[:gamma] (default 1), rectangle[:width] (default 1)";
    }
}
