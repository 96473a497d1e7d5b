package dev.spikebit.runtime.graph;

/**
 * The +-1 weights of a sign layer, one bit each, in the two layouts the kernels read (methods.md
 * 2). Neither is unpacked into floats.
 *
 * <ul>
 *   <li>{@code rowBits}: the file's layout. {@code rows} rows (output channels or features) of
 *       {@code rowLength} signs, each row starting on a byte boundary ({@code rowBytes} bytes);
 *       sign {@code j} of row {@code r} is bit {@code j % 8} of byte {@code r * rowBytes + j / 8};
 *       a set bit is +1. The dense kernels walk a row.</li>
 *   <li>{@code columnBits}: the transpose, for the event-driven kernels: for each input position
 *       {@code j}, the signs of all {@code rows} outputs, {@code columnBytes = ceil(rows / 8)}
 *       bytes, output {@code r} at bit {@code r % 8} of byte {@code j * columnBytes + r / 8}. One
 *       non-zero input then adds its value, signed by these bits, to every output at once.</li>
 * </ul>
 */
public record SignMatrix(int rows, int rowLength, byte[] rowBits, byte[] columnBits) {
    public int rowBytes() {
        return (rowLength + 7) >>> 3;
    }

    public int columnBytes() {
        return (rows + 7) >>> 3;
    }

    /** Whether weight {@code (r, j)} is +1. */
    public boolean isPositive(int r, int j) {
        return (rowBits[r * rowBytes() + (j >>> 3)] >>> (j & 7) & 1) != 0;
    }

    /** Builds both layouts from the file's row layout (not copied). */
    public static SignMatrix ofRows(int rows, int rowLength, byte[] rowBits) {
        int rowBytes = (rowLength + 7) >>> 3;
        int columnBytes = (rows + 7) >>> 3;
        byte[] columns = new byte[rowLength * columnBytes];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < rowLength; j++) {
                if ((rowBits[r * rowBytes + (j >>> 3)] >>> (j & 7) & 1) != 0) {
                    columns[j * columnBytes + (r >>> 3)] |= (byte) (1 << (r & 7));
                }
            }
        }
        return new SignMatrix(rows, rowLength, rowBits, columns);
    }
}
