package dev.spikebit.runtime.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a safetensors header says about one tensor, already checked against the file: its type,
 * its shape and where its bytes lie.
 *
 * @param name  the tensor's key in the header
 * @param dtype element type
 * @param shape dimensions, outermost first
 * @param begin first byte, counted from the start of the data section (just after the header)
 * @param end   one past the last byte; {@code end - begin == dtype.byteSize(shape)}
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Bytes the tensor occupies in the data section. */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && begin == that.begin
                && end == that.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + ", " + dtype + " " + Arrays.toString(shape) + ", bytes [" + begin + ", " + end
                + ")]";
    }
}
