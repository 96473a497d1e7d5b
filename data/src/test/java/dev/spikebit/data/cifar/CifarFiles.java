package dev.spikebit.data.cifar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Test-side writers of the CIFAR binary records (cs.toronto.edu/~kriz/cifar.html, "Binary
 * version": label byte(s), then 1024 red, 1024 green, 1024 blue bytes, each 32x32 row-major) and
 * of ustar archives (POSIX.1-1988 ustar header: name 0-99, mode 100, uid 108, gid 116, size 124
 * (11 octal digits), mtime 136, chksum 148, typeflag 156, linkname 157, magic "ustar\0" 257,
 * version "00" 263, uname 265, gname 297, devmajor 329, devminor 337, prefix 345-499).
 */
final class CifarFiles {

    private CifarFiles() {}

    /** The pixel value this test suite puts at channel c, row y, column x of image {@code image}. */
    static int pixel(int image, int c, int y, int x) {
        return (image * 13 + c * 101 + y * 7 + x * 3) & 0xFF;
    }

    /** Records for images {@code first .. first + count - 1}; {@code labels[i]} are the label bytes of record i. */
    static byte[] records(int first, int[][] labels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int r = 0; r < labels.length; r++) {
            for (int label : labels[r]) {
                out.write(label);
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        out.write(pixel(first + r, c, y, x));
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** One ustar header block. */
    static byte[] tarHeader(String name, String prefix, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0001750");
        put(h, 116, "0001750");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_300_000_000L));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        put(h, 265, "kriz");
        put(h, 297, "users");
        put(h, 345, prefix);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    /** A tar entry: header, content, padding to 512 bytes. */
    static byte[] tarEntry(String name, String prefix, char type, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tarHeader(name, prefix, content.length, type));
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        return out.toByteArray();
    }

    /** A gzip-compressed tar of regular files, in the map's order, with the end-of-archive blocks. */
    static byte[] tarGz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (var e : files.entrySet()) {
            tar.writeBytes(tarEntry(e.getKey(), "", '0', e.getValue()));
        }
        tar.writeBytes(new byte[1024]);
        return gzip(tar.toByteArray());
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static void put(byte[] h, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
