package dev.spikebit.runtime.io;

import java.util.Arrays;
import java.util.Optional;

/**
 * The element types of the safetensors format, by the names that appear in a file's header.
 *
 * <p>The constants are declared in increasing alignment, the same order as the reference
 * implementation's {@code Dtype}: {@link SafeTensors#write} lays tensors out from the last constant
 * to the first so that, with the header padded to 8 bytes, every tensor starts at a multiple of its
 * element size. Do not reorder them.
 *
 * <p>The sub-byte types of recent safetensors versions ({@code F4}, {@code F6_E2M3},
 * {@code F6_E3M2}) are not supported: a file using them is rejected with a message naming the type.
 */
public enum DType {
    BOOL(1),
    U8(1),
    I8(1),
    F8_E5M2(1),
    F8_E4M3(1),
    F8_E8M0(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    /** Complex number of two F32 parts. */
    C64(8),
    F64(8),
    I64(8),
    U64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Bytes a tensor of this type and shape holds.
     *
     * @throws ArithmeticException if the count does not fit in a {@code long}
     * @throws IllegalArgumentException if a dimension is negative
     */
    public long byteSize(long[] shape) {
        return Math.multiplyExact(elementCount(shape), byteSize);
    }

    /**
     * Number of elements of a tensor of this shape: the product of the dimensions, 1 for a scalar
     * (shape {@code []}).
     *
     * @throws ArithmeticException if the product does not fit in a {@code long}
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dimension);
        }
        return count;
    }

    /** The type with this header name (case-sensitive, as in the format), if spikebit knows it. */
    public static Optional<DType> fromName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
