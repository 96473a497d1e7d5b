package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import dev.spikebit.data.Dataset;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * Event samples binned into frames once and kept in a file, so that every later epoch (and every
 * later run) reads frames instead of events (docs/methods.md section 6).
 *
 * <p>{@link #open} looks for {@code <cacheDir>/<name>-<T..>-<mode>-<HxW>-<hash>.frames}, where the
 * hash covers the source's name and {@link EventSampleSource#fingerprint() fingerprint} and the
 * binning. A file that is missing, or fails validation (magic, key, shape, labels, length, CRC32C
 * of the frames), is rebuilt: every sample is read and binned once, written to a temporary file in
 * the same folder and renamed into place, so a crash never leaves a half-written cache behind.
 *
 * <p>File layout, little-endian: the magic {@code SPKFRM\0\1}; {@code int32} key length and the
 * UTF-8 key; {@code int32} count, T, channels, height, width, classes; {@code int32} label per
 * sample; {@code int64} CRC32C of the frames; then per sample {@code T*2*H*W} counts as
 * {@code uint16} (counts above 65,535 are stored as 65,535). The file is memory-mapped.
 */
public final class CachedFrameDataset implements Dataset {

    static final byte[] MAGIC = {'S', 'P', 'K', 'F', 'R', 'M', 0, 1};
    private static final ValueLayout.OfShort COUNT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_KEY_BYTES = 1 << 16;

    private final String name;
    private final FrameBinning binning;
    private final int numClasses;
    private final int[] labels;
    private final Path file;
    private final MemorySegment frames;

    private CachedFrameDataset(
            String name, FrameBinning binning, int numClasses, int[] labels, Path file, MemorySegment frames) {
        this.name = name;
        this.binning = binning;
        this.numClasses = numClasses;
        this.labels = labels;
        this.file = file;
        this.frames = frames;
    }

    /** The frames of {@code source} under {@code binning}, from the cache in {@code cacheDir} or built now. */
    public static CachedFrameDataset open(EventSampleSource source, FrameBinning binning, Path cacheDir) {
        String key = key(source, binning);
        Path file = cacheDir.resolve(fileName(source, binning, key));
        int[] labels = labels(source);
        CachedFrameDataset cached = tryMap(file, key, source, binning, labels);
        if (cached != null) {
            return cached;
        }
        write(file, key, source, binning, labels, new SampleBlocks(source, binning));
        cached = tryMap(file, key, source, binning, labels);
        if (cached == null) {
            throw DataException.inFile(file, "the frame cache just written does not validate");
        }
        return cached;
    }

    /** The cache file {@link #open} reads or builds for {@code source} under {@code binning} in {@code cacheDir}. */
    public static Path cacheFile(EventSampleSource source, FrameBinning binning, Path cacheDir) {
        return cacheDir.resolve(fileName(source, binning, key(source, binning)));
    }

    /** Whether {@code cacheDir} holds a complete, valid cache of {@code source} under {@code binning}. */
    public static boolean isCached(EventSampleSource source, FrameBinning binning, Path cacheDir) {
        String key = key(source, binning);
        return tryMap(cacheDir.resolve(fileName(source, binning, key)), key, source, binning, labels(source)) != null;
    }

    /**
     * Samples {@code [from, to)} of {@code source} binned as the cache file stores them: per sample
     * {@code T*2*H*W} little-endian {@code uint16} counts. The blocks of consecutive ranges, handed in
     * order to {@link #assemble}, make the file {@link #open} builds on one machine, byte for byte.
     */
    public static byte[] binBlock(EventSampleSource source, FrameBinning binning, int from, int to) {
        if (from < 0 || to < from || to > source.size()) {
            throw new IllegalArgumentException("samples " + from + ".." + to + " are outside " + source.name() + " ("
                    + source.size() + " samples)");
        }
        long bytes = (long) (to - from) * binning.sampleSize() * Short.BYTES;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(source.name() + ": samples " + from + ".." + to + " make a block of "
                    + bytes + " bytes, over 2 GiB");
        }
        ByteBuffer block = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] frames = new float[binning.sampleSize()];
        for (int i = from; i < to; i++) {
            putCounts(source, binning, i, frames, block);
        }
        return block.array();
    }

    /**
     * Writes the cache of {@code source} under {@code binning} in {@code cacheDir} from the
     * {@link #binBlock blocks} of consecutive sample ranges covering the whole source, in order, as
     * {@link #open} writes it (temporary file, CRC32C, rename), and opens it.
     *
     * @throws DataException when the blocks do not hold exactly the source's samples
     */
    public static CachedFrameDataset assemble(
            EventSampleSource source, FrameBinning binning, Path cacheDir, Iterator<byte[]> blocks) {
        String key = key(source, binning);
        Path file = cacheDir.resolve(fileName(source, binning, key));
        int[] labels = labels(source);
        write(file, key, source, binning, labels, blocks);
        CachedFrameDataset cached = tryMap(file, key, source, binning, labels);
        if (cached == null) {
            throw DataException.inFile(file, "the frame cache just written does not validate");
        }
        return cached;
    }

    /** The cache file this dataset reads. */
    public Path file() {
        return file;
    }

    public FrameBinning binning() {
        return binning;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return binning.sampleShape();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int timeSteps() {
        return binning.timeSteps();
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        int n = binning.sampleSize();
        long at = (long) index * n * Short.BYTES;
        for (int i = 0; i < n; i++) {
            dst[offset + i] = frames.get(COUNT, at + (long) i * Short.BYTES) & 0xFFFF;
        }
    }

    static String key(EventSampleSource source, FrameBinning binning) {
        String full = "spikebit-frames/1|" + source.name() + "|" + source.sensorWidth() + "x" + source.sensorHeight()
                + "|" + binning.id() + "|" + source.fingerprint();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(full.getBytes(StandardCharsets.UTF_8));
            return source.name() + "|" + binning.id() + "|" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String fileName(EventSampleSource source, FrameBinning binning, String key) {
        String stem = source.name().replaceAll("[^A-Za-z0-9._-]+", "_");
        return stem + "-" + binning.id() + "-" + key.substring(key.length() - 16) + ".frames";
    }

    /** Maps {@code file} if it is a complete, valid cache for exactly this key, else returns null. */
    private static CachedFrameDataset tryMap(
            Path file, String key, EventSampleSource source, FrameBinning binning, int[] labels) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            long headerBytes = headerBytes(keyBytes.length, labels.length);
            long frameBytes = (long) labels.length * binning.sampleSize() * Short.BYTES;
            if (size != headerBytes + frameBytes) {
                return null;
            }
            ByteBuffer header = all.asSlice(0, headerBytes).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            if (!Arrays.equals(magic, MAGIC) || header.getInt() != keyBytes.length) {
                return null;
            }
            byte[] stored = new byte[keyBytes.length];
            header.get(stored);
            int[] dims = {
                labels.length,
                binning.timeSteps(),
                FrameBinning.CHANNELS,
                binning.height(),
                binning.width(),
                source.numClasses()
            };
            boolean valid = Arrays.equals(stored, keyBytes);
            for (int d : dims) {
                valid &= header.getInt() == d;
            }
            for (int label : labels) {
                valid &= header.getInt() == label;
            }
            long crc = header.getLong();
            MemorySegment frames = all.asSlice(headerBytes, frameBytes);
            if (!valid || crc != crc32c(frames)) {
                return null;
            }
            return new CachedFrameDataset(source.name(), binning, source.numClasses(), labels, file, frames);
        } catch (IOException e) {
            return null;
        }
    }

    private static int[] labels(EventSampleSource source) {
        int[] labels = new int[source.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = source.label(i);
        }
        return labels;
    }

    private static void putCounts(
            EventSampleSource source, FrameBinning binning, int index, float[] frames, ByteBuffer out) {
        binning.bin(source.events(index), frames, 0);
        for (float c : frames) {
            out.putShort((short) Math.min(c, 0xFFFF));
        }
    }

    /** The blocks of a single-machine build: one sample each, binned when asked for. */
    private static final class SampleBlocks implements Iterator<byte[]> {
        private final EventSampleSource source;
        private final FrameBinning binning;
        private final float[] frames;
        private final ByteBuffer counts;
        private int next;

        SampleBlocks(EventSampleSource source, FrameBinning binning) {
            this.source = source;
            this.binning = binning;
            this.frames = new float[binning.sampleSize()];
            this.counts =
                    ByteBuffer.allocate(binning.sampleSize() * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public boolean hasNext() {
            return next < source.size();
        }

        @Override
        public byte[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            counts.clear();
            putCounts(source, binning, next++, frames, counts);
            return counts.array(); // written out before the next call refills it
        }
    }

    private static void write(
            Path file,
            String key,
            EventSampleSource source,
            FrameBinning binning,
            int[] labels,
            Iterator<byte[]> blocks) {
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            if (keyBytes.length > MAX_KEY_BYTES) {
                throw new IllegalArgumentException("cache key too long: " + keyBytes.length + " bytes");
            }
            int headerBytes = (int) headerBytes(keyBytes.length, labels.length);
            ByteBuffer header = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
            header.put(MAGIC).putInt(keyBytes.length).put(keyBytes);
            header.putInt(labels.length)
                    .putInt(binning.timeSteps())
                    .putInt(FrameBinning.CHANNELS)
                    .putInt(binning.height())
                    .putInt(binning.width())
                    .putInt(source.numClasses());
            for (int label : labels) {
                header.putInt(label);
            }
            int crcAt = header.position();
            header.putLong(0L).flip();
            long frameBytes = (long) labels.length * binning.sampleSize() * Short.BYTES;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writeFully(out, header);
                CRC32C crc = new CRC32C();
                long written = 0;
                while (blocks.hasNext()) {
                    byte[] block = blocks.next();
                    written += block.length;
                    if (written > frameBytes) {
                        break;
                    }
                    crc.update(block);
                    writeFully(out, ByteBuffer.wrap(block));
                }
                if (written != frameBytes) {
                    throw DataException.inFile(
                            file,
                            "the binned blocks hold " + written + " bytes of frames, not the " + frameBytes + " of "
                                    + labels.length + " samples");
                }
                ByteBuffer checksum = ByteBuffer.allocate(Long.BYTES)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, crc.getValue());
                while (checksum.hasRemaining()) {
                    out.write(checksum, crcAt + checksum.position());
                }
                out.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            throw new DataException(file + ": cannot write the frame cache: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the temporary file is only clutter; the original error matters
                }
            }
        }
    }

    private static long headerBytes(int keyBytes, int count) {
        return MAGIC.length + Integer.BYTES + keyBytes + 6L * Integer.BYTES + (long) count * Integer.BYTES + Long.BYTES;
    }

    private static long crc32c(MemorySegment frames) {
        CRC32C crc = new CRC32C();
        long chunk = 1L << 30;
        for (long at = 0; at < frames.byteSize(); at += chunk) {
            crc.update(
                    frames.asSlice(at, Math.min(chunk, frames.byteSize() - at)).asByteBuffer());
        }
        return crc.getValue();
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
