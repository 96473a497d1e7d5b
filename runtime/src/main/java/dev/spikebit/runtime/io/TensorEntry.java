package dev.spikebit.runtime.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor of a safetensors file as plain data: its element type, its shape (row-major,
 * outermost dimension first) and its elements as little-endian bytes.
 *
 * <p>The bytes are a {@link MemorySegment} so that a checkpoint can be written straight from the
 * engine's {@code float[]} without a copy ({@link #ofFloats} wraps the array on little-endian
 * hardware), and so that a tensor read from a file is not limited to the 2 GiB of a Java array.
 * An entry does not copy what it is given: change the wrapped array and the entry changes with it.
 *
 * <p>The typed accessors ({@link #toFloats}, {@link #toInts}, {@link #toLongs}, {@link #toBytes})
 * always copy.
 *
 * @param name   the tensor's key in the header, e.g. {@code "conv1.weight"}
 * @param dtype  element type
 * @param shape  dimensions; {@code []} is a scalar, a 0 anywhere makes an empty tensor
 * @param data   exactly {@code dtype.byteSize(shape)} bytes, little-endian
 */
public record TensorEntry(String name, DType dtype, long[] shape, MemorySegment data) {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * Checks that the data holds exactly the bytes the type and shape call for.
     *
     * @throws IllegalArgumentException if a dimension is negative, the shape's size overflows, or
     *                                  the data's length does not match
     */
    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long expected;
        try {
            expected = dtype.byteSize(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor \"" + name + "\": shape " + Arrays.toString(shape)
                    + " has more elements than fit in 64 bits");
        }
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor \"" + name + "\": " + dtype + " shape " + Arrays.toString(shape)
                    + " needs " + expected + " bytes but the data holds " + data.byteSize());
        }
    }

    /** An F32 tensor over {@code values}, wrapped without a copy on little-endian hardware. */
    public static TensorEntry ofFloats(String name, long[] shape, float[] values) {
        if (LITTLE_ENDIAN_HOST) {
            return new TensorEntry(name, DType.F32, shape, MemorySegment.ofArray(values));
        }
        var bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, Float.BYTES)]);
        MemorySegment.copy(values, 0, bytes, F32_LE, 0, values.length);
        return new TensorEntry(name, DType.F32, shape, bytes);
    }

    /** An I32 tensor over {@code values}, wrapped without a copy on little-endian hardware. */
    public static TensorEntry ofInts(String name, long[] shape, int[] values) {
        if (LITTLE_ENDIAN_HOST) {
            return new TensorEntry(name, DType.I32, shape, MemorySegment.ofArray(values));
        }
        var bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, Integer.BYTES)]);
        MemorySegment.copy(values, 0, bytes, I32_LE, 0, values.length);
        return new TensorEntry(name, DType.I32, shape, bytes);
    }

    /** An I64 tensor over {@code values}, wrapped without a copy on little-endian hardware. */
    public static TensorEntry ofLongs(String name, long[] shape, long[] values) {
        if (LITTLE_ENDIAN_HOST) {
            return new TensorEntry(name, DType.I64, shape, MemorySegment.ofArray(values));
        }
        var bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, Long.BYTES)]);
        MemorySegment.copy(values, 0, bytes, I64_LE, 0, values.length);
        return new TensorEntry(name, DType.I64, shape, bytes);
    }

    /** A U8 tensor over {@code values} (packed bits, codebook indices), wrapped without a copy. */
    public static TensorEntry ofUnsignedBytes(String name, long[] shape, byte[] values) {
        return ofRawBytes(name, DType.U8, shape, values);
    }

    /** A tensor of any type over its little-endian bytes, wrapped without a copy. */
    public static TensorEntry ofRawBytes(String name, DType dtype, long[] shape, byte[] littleEndianBytes) {
        return new TensorEntry(name, dtype, shape, MemorySegment.ofArray(littleEndianBytes));
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions; 0 for a scalar. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements: the product of the shape, 1 for a scalar. */
    public long elementCount() {
        return DType.elementCount(shape);
    }

    /** The elements of an F32 tensor. */
    public float[] toFloats() {
        requireType(DType.F32);
        return data.toArray(F32_LE);
    }

    /** The elements of an I32 tensor. */
    public int[] toInts() {
        requireType(DType.I32);
        return data.toArray(I32_LE);
    }

    /** The elements of an I64 tensor. */
    public long[] toLongs() {
        requireType(DType.I64);
        return data.toArray(I64_LE);
    }

    /** A copy of the raw little-endian bytes, whatever the type (for U8 and BOOL: the elements). */
    public byte[] toBytes() {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    private void requireType(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("tensor \"" + name + "\" is " + dtype + ", not " + expected);
        }
    }

    /** Equal when name, type, shape and every byte of data are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TensorEntry that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && data.mismatch(that.data) == -1;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "TensorEntry[" + name + ", " + dtype + " " + Arrays.toString(shape) + ", " + data.byteSize() + " bytes]";
    }
}
