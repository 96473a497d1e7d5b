package dev.spikebit.runtime.graph;

/** The checks the records' constructors share; failures name the layer. */
final class LayerChecks {
    private LayerChecks() {}

    static void sizes(String name, int in, int out, int kernel, int stride, int padding) {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("layer \"" + name + "\": sizes in " + in + ", out " + out
                    + ", kernel " + kernel + ", stride " + stride + ", padding " + padding
                    + " (expected sizes >= 1, padding >= 0)");
        }
    }

    static void length(String name, String what, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(
                    "layer \"" + name + "\": " + what + " has " + actual + " values, expected " + expected);
        }
    }

    static void optional(String name, String what, float[] values, int expected) {
        if (values != null) {
            length(name, what, values.length, expected);
        }
    }

    static void signs(String name, SignMatrix signs, int rows, long rowLength) {
        if (signs.rows() != rows || signs.rowLength() != rowLength) {
            throw new IllegalArgumentException("layer \"" + name + "\": signs are " + signs.rows() + " rows of "
                    + signs.rowLength() + ", expected " + rows + " rows of " + rowLength);
        }
    }
}
