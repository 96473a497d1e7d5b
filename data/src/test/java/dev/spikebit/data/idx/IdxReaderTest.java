package dev.spikebit.data.idx;

import static dev.spikebit.data.idx.IdxBytes.gzip;
import static dev.spikebit.data.idx.IdxBytes.idx;
import static dev.spikebit.data.idx.IdxBytes.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsRawFileExactly() throws IOException {
        byte[] data = pattern(2 * 3 * 4);
        Path file = write("images-idx3-ubyte", idx(new int[] {2, 3, 4}, data));

        IdxFile read = IdxReader.read(file, 3);

        assertThat(read.shape()).containsExactly(2, 3, 4);
        assertThat(read.data()).isEqualTo(data);
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.itemSize()).isEqualTo(12);
        for (int i = 0; i < data.length; i++) {
            assertThat(read.unsigned(i)).isEqualTo((i * 37 + 11) & 0xFF);
        }
    }

    @Test
    void recognisesGzipByContentNotByName() throws IOException {
        byte[] data = pattern(5 * 7 * 3);
        byte[] plain = idx(new int[] {5, 7, 3}, data);
        Path gzipWithoutSuffix = write("images.idx", gzip(plain));
        Path rawWithGzSuffix = write("images.idx.gz", plain);

        for (Path file : new Path[] {gzipWithoutSuffix, rawWithGzSuffix}) {
            IdxFile read = IdxReader.read(file);
            assertThat(read.shape()).containsExactly(5, 7, 3);
            assertThat(read.data()).isEqualTo(data);
        }
    }

    @Test
    void readsLabelFileAndLargerGzipThatNeedsSeveralChunks() throws IOException {
        byte[] labels = pattern(3_000_001); // more than the first 1 MiB buffer: exercises growth
        Path file = write("labels.gz", gzip(idx(new int[] {labels.length}, labels)));

        IdxFile read = IdxReader.read(file, 1);

        assertThat(read.shape()).containsExactly(labels.length);
        assertThat(Arrays.equals(read.data(), labels)).isTrue();
    }

    @Test
    void emptyDimensionGivesEmptyData() throws IOException {
        Path file = write("empty.gz", gzip(idx(new int[] {0, 28, 28}, new byte[0])));
        assertThat(IdxReader.read(file, 3).data()).isEmpty();
    }

    @Test
    void truncatedRawFileSaysHowMuchIsMissing() throws IOException {
        byte[] whole = idx(new int[] {2, 3, 4}, pattern(24));
        Path file = write("cut", Arrays.copyOf(whole, whole.length - 5));

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("expected 24 bytes of data after the header, found 19");
    }

    @Test
    void gzipWithTooLittleDataSaysHowMuchIsMissing() throws IOException {
        byte[] whole = idx(new int[] {2, 3, 4}, pattern(24));
        Path file = write("short.gz", gzip(Arrays.copyOf(whole, whole.length - 5)));

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("expected 24 bytes of data after the header, found 19");
    }

    @Test
    void gzipCutInTheMiddleIsReportedAsTruncated() throws IOException {
        byte[] compressed = gzip(idx(new int[] {100, 28, 28}, pattern(100 * 28 * 28)));
        Path file = write("cut.gz", Arrays.copyOf(compressed, compressed.length / 2));

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("gzip stream ends early")
                .hasMessageContaining("truncated");
    }

    @Test
    void trailingDataIsRejected() throws IOException {
        byte[] whole = idx(new int[] {2, 3}, pattern(6));
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);
        Path raw = write("long", longer);
        Path zipped = write("long.gz", gzip(longer));

        for (Path file : new Path[] {raw, zipped}) {
            assertThatThrownBy(() -> IdxReader.read(file))
                    .isInstanceOf(DataException.class)
                    .hasMessageStartingWith(file.toString())
                    .hasMessageContaining("has 3 bytes of trailing data after the 6 bytes its header declares");
        }
    }

    @Test
    void badMagicNumberIsRejected() throws IOException {
        byte[] bytes = idx(new int[] {2, 3}, pattern(6));
        bytes[0] = 0x12;
        bytes[1] = 0x34;
        Path file = write("png-perhaps", bytes);

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("not an IDX file")
                .hasMessageContaining("0x12340802");
    }

    @Test
    void otherElementTypesAreNamedAndRejected() throws IOException {
        Path file = write("floats", idx(0x0D, 1, new int[] {2}, new byte[8]));

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("element type 0x0d (32-bit float)")
                .hasMessageContaining("only unsigned bytes (0x08)");
    }

    @Test
    void wrongDimensionCountIsRejected() throws IOException {
        Path file = write("labels", idx(new int[] {6}, pattern(6)));

        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("has 1 dimensions, expected 3");
    }

    @Test
    void zeroDimensionsAreRejected() throws IOException {
        Path file = write("scalar", idx(0x08, 0, new int[0], new byte[0]));

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("declares 0 dimensions");
    }

    @Test
    void fileEndingInsideTheHeaderIsRejected() throws IOException {
        Path file = write("stub", Arrays.copyOf(idx(new int[] {2, 3, 4}, new byte[0]), 10));
        Path empty = write("nothing", new byte[0]);

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("ends inside the header: 3 dimension sizes need 12 bytes, found 6");
        assertThatThrownBy(() -> IdxReader.read(empty))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("is 0 bytes long");
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("absent.gz");
        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessage(file + ": does not exist");
    }

    @Test
    void corruptGzipIsReportedWithTheFile() throws IOException {
        byte[] compressed = gzip(idx(new int[] {10, 28, 28}, pattern(10 * 28 * 28)));
        byte[] mangled = compressed.clone();
        for (int i = 10; i < 40; i++) { // the deflate data right after the 10-byte gzip header
            mangled[i] = (byte) 0xFF;
        }
        byte[] badChecksum = compressed.clone();
        badChecksum[compressed.length - 6] ^= 0x55; // inside the CRC-32 of the trailer
        Path file = write("mangled.gz", mangled);
        Path crc = write("crc.gz", badChecksum);

        for (Path broken : new Path[] {file, crc}) {
            assertThatThrownBy(() -> IdxReader.read(broken))
                    .isInstanceOf(DataException.class)
                    .hasMessageStartingWith(broken.toString())
                    .hasMessageContaining("corrupt gzip data");
        }
    }

    @Test
    void sizesBeyondAJavaArrayAreRejectedFromTheHeaderAlone() throws IOException {
        Path raw = write("huge", idx(new int[] {65536, 65536, 1}, pattern(10)));
        Path zipped = write("huge.gz", gzip(idx(new int[] {65536, 65536, 1}, pattern(10))));
        Path negative = write("negative", idx(new int[] {-1}, pattern(10))); // 0xffffffff unsigned

        for (Path file : new Path[] {raw, zipped}) {
            assertThatThrownBy(() -> IdxReader.read(file))
                    .isInstanceOf(DataException.class)
                    .hasMessageStartingWith(file.toString())
                    .hasMessageContaining("declares dimensions [65536, 65536, 1]")
                    .hasMessageContaining("more elements than a Java array can hold");
        }
        assertThatThrownBy(() -> IdxReader.read(negative))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("dimension 0 of size 4294967295");
    }

    /**
     * A tiny file that declares close to 2 GB must fail without allocating anywhere near that:
     * the allocation counter of this thread shows what the reader asked the heap for.
     */
    @Test
    void hugeDeclaredSizeInATinyFileAllocatesNothingLarge() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path raw = write("lying", idx(new int[] {2_000_000_000}, pattern(10)));
        Path zipped = write("lying.gz", gzip(idx(new int[] {2_000_000_000}, pattern(10))));
        // Within what deflate could expand a file this size to, so the reader must really read.
        Path plausible = write("plausible.gz", gzip(idx(new int[] {20_000}, pattern(10))));

        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> IdxReader.read(raw))
                .hasMessageContaining("expected 2000000000 bytes of data after the header, found 10");
        assertThatThrownBy(() -> IdxReader.read(zipped))
                .hasMessageContaining("declares 2000000000 bytes of data, more than a gzip file of");
        assertThatThrownBy(() -> IdxReader.read(plausible))
                .hasMessageContaining("expected 20000 bytes of data after the header, found 10");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).isLessThan(16L << 20);
    }

    @Test
    void bytesAfterTheGzipDataAreRejected() throws IOException {
        byte[] compressed = gzip(idx(new int[] {2, 3}, pattern(6)));
        byte[] withJunk = Arrays.copyOf(compressed, compressed.length + 12);
        Arrays.fill(withJunk, compressed.length, withJunk.length, (byte) '<');
        Path file = write("junk.gz", withJunk);

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("12 bytes of trailing garbage after the end of the gzip data");
    }

    @Test
    void concatenatedGzipMembersAreOneStream() throws IOException {
        byte[] data = pattern(4 * 5 * 6);
        byte[] plain = idx(new int[] {4, 5, 6}, data);
        byte[] first = gzip(Arrays.copyOfRange(plain, 0, 50));
        byte[] second = gzip(Arrays.copyOfRange(plain, 50, plain.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Path file = write("two-members.gz", both);

        assertThat(IdxReader.read(file, 3).data()).isEqualTo(data);
    }

    /** The official Fashion-MNIST downloads carry the file name in the gzip header (flag FNAME). */
    @Test
    void gzipHeaderWithFileNameIsSkipped() throws IOException {
        byte[] data = pattern(3 * 4);
        byte[] compressed = gzip(idx(new int[] {3, 4}, data));
        byte[] name = "t10k-labels-idx1-ubyte\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] named = new byte[compressed.length + name.length];
        System.arraycopy(compressed, 0, named, 0, 10);
        named[3] = 0x08; // FLG.FNAME: a zero-terminated name follows the 10-byte header
        System.arraycopy(name, 0, named, 10, name.length);
        System.arraycopy(compressed, 10, named, 10 + name.length, compressed.length - 10);
        Path file = write("named.gz", named);

        assertThat(IdxReader.read(file).data()).isEqualTo(data);
    }

    @Test
    void gzipLengthFieldMustMatch() throws IOException {
        byte[] compressed = gzip(idx(new int[] {2, 3}, pattern(6)));
        compressed[compressed.length - 4] += 1; // ISIZE, the length mod 2^32, little-endian
        Path file = write("length.gz", compressed);

        assertThatThrownBy(() -> IdxReader.read(file))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("length mismatch");
    }
}
