package dev.spikebit.interop.npy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} files (format 1.0/2.0, C order, little-endian): how the interop fixtures
 * and the prediction files exchanged with the Python frameworks are stored. Reads float32,
 * float64, uint8, int32 and int64 arrays as floats; writes float32 and uint8.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?)([a-z])(\\d+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** An array: values row-major, and its shape. */
    public record Array(float[] data, int[] shape) {}

    public static Array read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new SpikebitException(path + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes.length < 10 || bytes[i] != MAGIC[i]) {
                throw new SpikebitException(path + ": not a .npy file (bad magic)");
            }
        }
        int major = bytes[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        if (headerLength < 0 || start + headerLength > bytes.length) {
            throw new SpikebitException(path + ": .npy header runs past the end of the file");
        }
        String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new SpikebitException(path + ": .npy header not understood: " + header.strip());
        }
        if (o.group(1).equals("True")) {
            throw new SpikebitException(path + ": Fortran-ordered arrays are not supported");
        }
        if (d.group(1).equals(">")) {
            throw new SpikebitException(path + ": big-endian arrays are not supported");
        }
        String[] dims = s.group(1).split(",");
        int count = 0;
        long n = 1;
        int[] shape = new int[dims.length];
        for (String dim : dims) {
            if (!dim.isBlank()) {
                shape[count] = Integer.parseInt(dim.strip());
                n *= shape[count++];
            }
        }
        shape = java.util.Arrays.copyOf(shape, count);
        String kind = d.group(2) + d.group(3);
        int width = Integer.parseInt(d.group(3));
        int offset = start + headerLength;
        if (n * width != bytes.length - offset) {
            throw new SpikebitException(path + ": .npy shape " + java.util.Arrays.toString(shape) + " of " + kind
                    + " needs " + n * width + " bytes, the file has " + (bytes.length - offset));
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < n; i++) {
            int at = offset + i * width;
            out[i] = switch (kind) {
                case "f4" -> b.getFloat(at);
                case "f8" -> (float) b.getDouble(at);
                case "u1" -> Byte.toUnsignedInt(bytes[at]);
                case "i4" -> b.getInt(at);
                case "i8" -> b.getLong(at);
                default -> throw new SpikebitException(path + ": .npy type " + kind + " is not supported");
            };
        }
        return new Array(out, shape);
    }

    /** Writes a float32 array. */
    public static void writeFloats(Path path, float[] data, int... shape) {
        ByteBuffer body = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            body.putFloat(v);
        }
        write(path, "<f4", shape, body.array());
    }

    /** Writes a uint8 array (class predictions). */
    public static void writeBytes(Path path, byte[] data, int... shape) {
        write(path, "|u1", shape, data);
    }

    private static void write(Path path, String descr, int[] shape, byte[] body) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = MAGIC.length + 4 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        head.put(header.getBytes(StandardCharsets.ISO_8859_1));
        AtomicFiles.write(path, out -> {
            out.write(head.array());
            out.write(body);
        });
    }
}
