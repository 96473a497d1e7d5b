package dev.spikebit.data.cifar;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the binary version of CIFAR-10 and CIFAR-100 (cs.toronto.edu/~kriz/cifar.html, "Binary
 * version"). A file is a sequence of records without any header: the label byte(s), then 3072
 * pixel bytes, the 1024 red values, then green, then blue, each a 32x32 image in row-major order.
 * CIFAR-10 records have one label byte (0-9); CIFAR-100 records have two, the coarse label (0-19)
 * and then the fine label (0-99).
 */
public final class CifarBinaryReader {

    public static final int CHANNELS = 3;
    public static final int SIZE = 32;
    public static final int PIXEL_BYTES = CHANNELS * SIZE * SIZE;

    /**
     * Raw records read from one or more files.
     *
     * @param pixels {@code count * 3072} bytes, one image after another, planes R, G, B
     * @param labels the chosen label of each image
     */
    public record Records(byte[] pixels, int[] labels) {
        public int count() {
            return labels.length;
        }
    }

    private CifarBinaryReader() {}

    /**
     * Reads the records of {@code files}, in order, keeping label byte {@code labelByte} of each
     * record (0 for CIFAR-10 and CIFAR-100's coarse label, 1 for CIFAR-100's fine label), which must
     * be below {@code numClasses}.
     */
    public static Records read(List<Path> files, int labelBytes, int labelByte, int numClasses) {
        if (labelByte < 0 || labelByte >= labelBytes) {
            throw new IllegalArgumentException("label byte " + labelByte + " of " + labelBytes);
        }
        int recordBytes = labelBytes + PIXEL_BYTES;
        long total = 0;
        long[] counts = new long[files.size()];
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                throw new DataException(file + ": cannot read: " + e.getMessage(), e);
            }
            if (size % recordBytes != 0) {
                throw DataException.inFile(
                        file,
                        "size " + size + " bytes is not a multiple of " + recordBytes
                                + " (" + labelBytes + " label byte" + (labelBytes > 1 ? "s" : "") + " + " + PIXEL_BYTES
                                + " pixel bytes per image)");
            }
            counts[f] = size / recordBytes;
            total += counts[f];
        }
        if (total * PIXEL_BYTES > Integer.MAX_VALUE - 8) {
            throw new DataException(files + ": " + total + " images are more than one array can hold");
        }
        byte[] pixels = new byte[(int) total * PIXEL_BYTES];
        int[] labels = new int[(int) total];
        int image = 0;
        byte[] record = new byte[recordBytes];
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                for (long r = 0; r < counts[f]; r++, image++) {
                    if (in.readNBytes(record, 0, recordBytes) != recordBytes) {
                        throw DataException.inFile(
                                file, "ended early at record " + r + " (it changed while being read)");
                    }
                    int label = record[labelByte] & 0xFF;
                    if (label >= numClasses) {
                        throw DataException.inFile(
                                file, "record " + r + " has label " + label + ", expected 0.." + (numClasses - 1));
                    }
                    labels[image] = label;
                    System.arraycopy(record, labelBytes, pixels, image * PIXEL_BYTES, PIXEL_BYTES);
                }
            } catch (IOException e) {
                throw new DataException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        return new Records(pixels, labels);
    }
}
