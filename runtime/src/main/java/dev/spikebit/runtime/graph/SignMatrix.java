package dev.spikebit.runtime.graph;

/**
 * The +-1 weights of a sign layer, one bit each, in the two layouts the kernels read (docs/methods.md
 * 2). Neither is unpacked into floats.
 *
 * <ul>
 *   <li>{@code rowBits}: the file's layout. {@code rows} rows (output channels or features) of
 *       {@code rowLength} signs, each row starting on a byte boundary ({@code rowBytes} bytes);
 *       sign {@code j} of row {@code r} is bit {@code j % 8} of byte {@code r * rowBytes + j / 8};
 *       a set bit is +1. The dense kernels walk a row.</li>
 *   <li>{@code columnWords}: the transpose, for the event-driven kernels: for each input position
 *       {@code j}, the signs of all {@code rows} outputs in {@code wordsPerColumn() = ceil(rows / 64)}
 *       longs, output {@code r} at bit {@code r % 64} of word {@code j * wordsPerColumn() + r / 64}.
 *       One non-zero input then adds its value, signed by these bits, to every output at once; a
 *       vector's worth of signs (8 or 16 outputs) is one shift of one word, the cheapest lane mask
 *       to get (assembling it from bytes took a sixth of an inference).</li>
 * </ul>
 */
public record SignMatrix(int rows, int rowLength, byte[] rowBits, long[] columnWords) {
    public int rowBytes() {
        return (rowLength + 7) >>> 3;
    }

    /** Longs per column of {@code columnWords}. */
    public int wordsPerColumn() {
        return (rows + 63) >>> 6;
    }

    /** Whether weight {@code (r, j)} is +1. */
    public boolean isPositive(int r, int j) {
        return (rowBits[r * rowBytes() + (j >>> 3)] >>> (j & 7) & 1) != 0;
    }

    /** Builds both layouts from the file's row layout (not copied). */
    public static SignMatrix ofRows(int rows, int rowLength, byte[] rowBits) {
        int rowBytes = (rowLength + 7) >>> 3;
        int columnWords = (rows + 63) >>> 6;
        long[] columns = new long[rowLength * columnWords];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < rowLength; j++) {
                if ((rowBits[r * rowBytes + (j >>> 3)] >>> (j & 7) & 1) != 0) {
                    columns[j * columnWords + (r >>> 6)] |= 1L << (r & 63);
                }
            }
        }
        return new SignMatrix(rows, rowLength, rowBits, columns);
    }
}
