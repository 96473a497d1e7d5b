package dev.spikebit.core.neuron.kernel;

import java.util.Objects;

/** The argument checks both {@link LifKernel} implementations share. */
final class LifArguments {
    private LifArguments() {}

    static void checkForward(float[] x, int steps, int neurons, NeuronConfig config, float[] out, float[] potentials) {
        long size = size(steps, neurons);
        Objects.requireNonNull(config, "config");
        checkLength("x", x, size, steps, neurons);
        checkLength("out", out, size, steps, neurons);
        if (potentials != null) {
            checkLength("potentials", potentials, size, steps, neurons);
        }
    }

    static void checkBackward(
            float[] gradOut,
            float[] gradPotentials,
            float[] potentials,
            int steps,
            int neurons,
            NeuronConfig config,
            float[] gradX,
            boolean accumulate) {
        long size = size(steps, neurons);
        Objects.requireNonNull(config, "config");
        if (gradOut != null) {
            checkLength("gradOut", gradOut, size, steps, neurons);
        }
        if (gradPotentials != null) {
            checkLength("gradPotentials", gradPotentials, size, steps, neurons);
        }
        checkLength("potentials", potentials, size, steps, neurons);
        checkLength("gradX", gradX, size, steps, neurons);
        if (accumulate && (gradX == gradOut || gradX == gradPotentials)) {
            throw new IllegalArgumentException("gradX must not be an incoming gradient when accumulating into it");
        }
    }

    private static long size(int steps, int neurons) {
        if (steps < 0 || neurons < 0) {
            throw new IllegalArgumentException("steps and neurons must be >= 0, got T = " + steps + ", N = " + neurons);
        }
        long size = (long) steps * neurons;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("T * N = " + size + " does not fit in one array");
        }
        return size;
    }

    private static void checkLength(String name, float[] array, long size, int steps, int neurons) {
        Objects.requireNonNull(array, name);
        if (array.length < size) {
            throw new IllegalArgumentException(name + " holds " + array.length + " floats, [T, N] = [" + steps + ", "
                    + neurons + "] needs " + size);
        }
    }

    /** An array of one step, {@code [N]}, for the repeated-input forms. */
    static void checkRepeated(String name, float[] array, int neurons) {
        if (array == null || array.length != neurons) {
            throw new IllegalArgumentException(name + " must hold one step of N = " + neurons + " floats, got "
                    + (array == null ? "null" : array.length));
        }
    }
}
