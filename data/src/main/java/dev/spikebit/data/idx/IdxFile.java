package dev.spikebit.data.idx;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What one IDX file holds: an n-dimensional array of unsigned bytes in row-major order. The first
 * dimension counts the items (images, labels), the others give the shape of one item.
 *
 * @param source the file it was read from, for messages
 * @param shape  the dimension sizes from the header, at least one
 * @param data   the elements, {@code product(shape)} bytes; read them with {@link #unsigned(int)}
 */
public record IdxFile(Path source, int[] shape, byte[] data) {

    /** Number of items: the first dimension. */
    public int count() {
        return shape[0];
    }

    /** Elements per item: the product of all dimensions but the first (1 for a label file). */
    public int itemSize() {
        int size = 1;
        for (int d = 1; d < shape.length; d++) {
            size *= shape[d];
        }
        return size;
    }

    /** Element {@code i} as the unsigned value 0..255 that the file stores. */
    public int unsigned(int i) {
        return data[i] & 0xFF;
    }

    @Override
    public String toString() {
        return "IdxFile[" + source + ", shape " + Arrays.toString(shape) + "]";
    }
}
