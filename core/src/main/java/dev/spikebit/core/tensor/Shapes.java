package dev.spikebit.core.tensor;

import java.util.Arrays;

/** Small helpers for shapes: element counts, -1 resolution, printing. */
public final class Shapes {
    private Shapes() {}

    public static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Element count, rejecting negative dimensions and counts beyond a Java array. */
    public static int checkedCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large for one array");
            }
        }
        return (int) n;
    }

    /** Product of the dimensions from {@code from} (inclusive) to {@code to} (exclusive). */
    public static int product(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Replaces a single -1 so that the shape holds {@code count} elements. */
    static int[] resolve(int[] shape, int count) {
        int[] s = shape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(shape));
                }
                unknown = i;
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || count % known != 0) {
                throw new IllegalArgumentException(
                        "cannot reshape " + count + " elements to " + Arrays.toString(shape));
            }
            s[unknown] = (int) (count / known);
        } else if (known != count) {
            throw new IllegalArgumentException("cannot reshape " + count + " elements to " + Arrays.toString(shape));
        }
        return s;
    }

    /** The shape with its first two axes merged: [T, B, ...] becomes [T*B, ...]. */
    public static int[] mergeFirstTwo(int[] shape) {
        int[] s = new int[shape.length - 1];
        s[0] = shape[0] * shape[1];
        System.arraycopy(shape, 2, s, 1, shape.length - 2);
        return s;
    }

    public static int[] prepend(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    public static int[] dropFirst(int[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }
}
