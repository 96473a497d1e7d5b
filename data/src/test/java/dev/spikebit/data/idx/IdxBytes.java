package dev.spikebit.data.idx;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX files byte by byte, independently of the reader under test. The format, from Yann
 * LeCun's MNIST page (yann.lecun.com/exdb/mnist): the magic number is two zero bytes, a type byte
 * (0x08 = unsigned byte) and the number of dimensions; then each dimension size as a 32-bit
 * big-endian ("MSB first") integer; then the data, last index changing fastest.
 */
public final class IdxBytes {
    private IdxBytes() {}

    /** An unsigned-byte IDX file of the given shape. */
    public static byte[] idx(int[] shape, byte[] data) {
        return idx(0x08, shape.length, shape, data);
    }

    /** Any header at all, for tests of broken files: type and dimension count as given. */
    public static byte[] idx(int type, int rank, int[] sizes, byte[] data) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.write(new byte[] {0, 0, (byte) type, (byte) rank});
            for (int size : sizes) {
                out.writeInt(size); // DataOutputStream writes big-endian, as IDX requires
            }
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] gzip(byte[] content) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code n} bytes that cover the whole unsigned range, so sign handling shows. */
    public static byte[] pattern(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 37 + 11);
        }
        return data;
    }
}
