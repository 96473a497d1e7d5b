package dev.spikebit.core.checkpoint;

/**
 * What the values of a checkpoint tensor must satisfy, by name: every value finite, and the
 * values that are variances (batch norm's {@code running_var}, Adam's {@code exp_avg_sq}) not
 * negative. The optimizer's step count ({@code optim.steps}) is a 64-bit integer stored in the bits
 * of two floats and is exempt: {@link dev.spikebit.core.optim.Optimizer} checks it.
 */
final class TensorChecks {
    private TensorChecks() {}

    /** Why the tensor {@code name} is not valid, or null when it is. */
    static String problem(String name, float[] values) {
        if (name.equals("optim.steps")) {
            return null;
        }
        boolean variance = name.endsWith("running_var") || name.startsWith("optim.exp_avg_sq/");
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                return "tensor \"" + name + "\" holds " + v + " at index " + i + " (every value must be finite)";
            }
            if (variance && v < 0) {
                return "tensor \"" + name + "\" holds the negative variance " + v + " at index " + i;
            }
        }
        return null;
    }
}
