package dev.spikebit.runtime.graph;

/**
 * The +-1 weights of a binary layer, one bit each (docs/methods.md 2, deployed form). The weights form
 * {@code rows} rows (one per output channel or feature) of {@code rowLength} signs, the layer's
 * latent weight tensor read row-major ({@code [out, in, kh, kw]} or {@code [out, in]}).
 *
 * <p>Layout: each row starts on a byte boundary and takes {@code ceil(rowLength / 8)} bytes. Sign
 * {@code j} of row {@code r} is bit {@code j % 8} (least significant bit first) of byte
 * {@code r * rowBytes + j / 8}; a set bit is {@code +1}, a clear bit {@code -1}. The padding bits
 * after the last sign of a row are 0.
 *
 * @param rows      output channels or features
 * @param rowLength signs per row (the fan-in)
 * @param bits      {@code rows * rowBytes()} bytes; not copied
 */
public record PackedSigns(int rows, int rowLength, byte[] bits) {
    public PackedSigns {
        if (rows < 0 || rowLength < 0) {
            throw new IllegalArgumentException("packed signs: negative size " + rows + " x " + rowLength);
        }
        if ((long) rows * rowBytes(rowLength) != bits.length) {
            throw new IllegalArgumentException("packed signs: " + rows + " rows of " + rowLength + " signs need "
                    + (long) rows * rowBytes(rowLength) + " bytes, got " + bits.length);
        }
    }

    /** Bytes of one row of {@code rowLength} signs. */
    public static int rowBytes(int rowLength) {
        return (rowLength + 7) >>> 3;
    }

    public int rowBytes() {
        return rowBytes(rowLength);
    }

    /**
     * Packs the signs of {@code weights} ({@code rows x rowLength}, row-major): {@code sign(w) = +1}
     * for {@code w >= 0}. Rows with {@code negate[r]} set are stored with every sign flipped.
     */
    public static PackedSigns pack(float[] weights, int rows, int rowLength, boolean[] negate) {
        if ((long) rows * rowLength != weights.length) {
            throw new IllegalArgumentException(
                    "packed signs: " + weights.length + " weights are not " + rows + " x " + rowLength);
        }
        int rowBytes = rowBytes(rowLength);
        byte[] bits = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            boolean flip = negate != null && negate[r];
            for (int j = 0; j < rowLength; j++) {
                boolean positive = weights[r * rowLength + j] >= 0f;
                if (positive != flip) {
                    bits[r * rowBytes + (j >>> 3)] |= (byte) (1 << (j & 7));
                }
            }
        }
        return new PackedSigns(rows, rowLength, bits);
    }

    /** Whether sign {@code j} of row {@code r} is +1. */
    public boolean isPositive(int r, int j) {
        return (bits[r * rowBytes() + (j >>> 3)] >>> (j & 7) & 1) != 0;
    }

    /** Sign {@code j} of row {@code r} as +1 or -1. */
    public float sign(int r, int j) {
        return isPositive(r, j) ? 1f : -1f;
    }

    /** The first row that has a set padding bit, or -1 if every padding bit is 0. */
    public int firstRowWithPaddingSet() {
        int rowBytes = rowBytes();
        int used = rowLength & 7;
        if (used == 0) {
            return -1;
        }
        int mask = 0xFF & ~((1 << used) - 1);
        for (int r = 0; r < rows; r++) {
            if ((bits[r * rowBytes + rowBytes - 1] & mask) != 0) {
                return r;
            }
        }
        return -1;
    }
}
