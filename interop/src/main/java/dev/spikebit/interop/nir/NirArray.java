package dev.spikebit.interop.nir;

import java.util.Arrays;

/**
 * A numeric array of a NIR node (a weight, a time constant per neuron), as float32 in row-major
 * order. NIR files hold float32 or float64; spikebit computes in float32, so float64 values are
 * rounded to the nearest float once, when read.
 *
 * @param data  the values, row-major
 * @param shape the dimensions; empty for a scalar
 */
public record NirArray(float[] data, int[] shape) {
    public NirArray {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "array of shape " + Arrays.toString(shape) + " needs " + n + " values, has " + data.length);
        }
    }

    public static NirArray of(float[] data, int... shape) {
        return new NirArray(data, shape);
    }

    /** The same value in every element of the given shape. */
    public static NirArray filled(float value, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        Arrays.fill(data, value);
        return new NirArray(data, shape);
    }

    public int size() {
        return data.length;
    }

    public int rank() {
        return shape.length;
    }

    /** The one value every element has, or NaN when the elements differ (or the array is empty). */
    public float uniformValue() {
        if (data.length == 0) {
            return Float.NaN;
        }
        float first = data[0];
        for (float v : data) {
            if (Float.floatToRawIntBits(v) != Float.floatToRawIntBits(first) && !(v == 0f && first == 0f)) {
                return Float.NaN;
            }
        }
        return first;
    }

    /** Whether every element is (plus or minus) zero. */
    public boolean allZero() {
        for (float v : data) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NirArray a && Arrays.equals(data, a.data) && Arrays.equals(shape, a.shape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NirArray" + Arrays.toString(shape);
    }
}
