package dev.spikebit.bench.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a valid file into a malformed one, in the manner of AFL's "havoc" stage: one to eight
 * stacked edits, each a flipped bit, a random byte, an "interesting" integer (0, -1, the extremes
 * of each width, powers of two near them) written in either byte order, a deleted, duplicated or
 * inserted range, a truncation, or a splice with another seed. Half of the edits land in the
 * first 2 KB, where headers, sizes and counts live; the rest anywhere.
 */
public final class Mutator {
    private static final int HEADER_BYTES = 2048;
    private static final long[] INTERESTING = {
        0,
        1,
        -1,
        2,
        7,
        8,
        16,
        127,
        128,
        255,
        256,
        1000,
        1024,
        4096,
        32767,
        32768,
        65535,
        65536,
        100_000,
        1_000_000_000L,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        0xFFFFFFFFL,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        Float.floatToRawIntBits(Float.NaN),
        Float.floatToRawIntBits(Float.POSITIVE_INFINITY),
        Float.floatToRawIntBits(-1f)
    };
    /** Texts that parsers of numbers and JSON handle specially. */
    private static final List<String> TOKENS = List.of(
            "NaN",
            "Infinity",
            "-Infinity",
            "-1",
            "0",
            "1e309",
            "99999999999",
            "\"\"",
            "null",
            "[]",
            "{}",
            "-0",
            "1.5",
            "\"abc\"",
            "2147483648",
            "-2147483649");

    private final List<byte[]> seeds;

    public Mutator(List<byte[]> seeds) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a mutator needs at least one seed");
        }
        this.seeds = List.copyOf(seeds);
    }

    /** A mutation of a random seed; the same random state gives the same bytes. */
    public byte[] next(SplittableRandom random) {
        byte[] data = seeds.get(random.nextInt(seeds.size())).clone();
        int edits = 1 + random.nextInt(8);
        for (int i = 0; i < edits; i++) {
            data = edit(data, random);
        }
        return data;
    }

    private byte[] edit(byte[] data, SplittableRandom random) {
        if (data.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = position(data.length, random);
        switch (random.nextInt(10)) {
            case 0 -> data[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> data[at] = (byte) random.nextInt(256);
            case 2, 3 -> {
                int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
                if (at + width <= data.length) {
                    long value = INTERESTING[random.nextInt(INTERESTING.length)];
                    ByteBuffer buffer = ByteBuffer.allocate(8)
                            .order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                    buffer.putLong(0, value);
                    byte[] bytes = buffer.array();
                    int from = buffer.order() == ByteOrder.LITTLE_ENDIAN ? 0 : 8 - width;
                    System.arraycopy(bytes, from, data, at, width);
                }
            }
            case 4 -> {
                int length = Math.min(data.length - at, 1 + random.nextInt(64));
                byte[] out = new byte[data.length - length];
                System.arraycopy(data, 0, out, 0, at);
                System.arraycopy(data, at + length, out, at, data.length - at - length);
                return out;
            }
            case 5 -> {
                int length = Math.min(data.length - at, 1 + random.nextInt(64));
                int to = random.nextInt(data.length + 1);
                return insert(data, to, Arrays.copyOfRange(data, at, at + length));
            }
            case 6 -> {
                return Arrays.copyOf(data, random.nextInt(data.length));
            }
            case 7 -> {
                byte[] token =
                        TOKENS.get(random.nextInt(TOKENS.size())).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                return insert(data, at, token);
            }
            case 8 -> {
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = random.nextInt(Math.min(data.length, other.length) + 1);
                byte[] out = Arrays.copyOf(data, Math.max(data.length, other.length));
                System.arraycopy(other, cut, out, cut, other.length - cut);
                return Arrays.copyOf(out, other.length);
            }
            default -> {
                int length = Math.min(data.length - at, 1 + random.nextInt(16));
                int value = random.nextBoolean() ? 0 : 0xFF;
                Arrays.fill(data, at, at + length, (byte) value);
            }
        }
        return data;
    }

    private static int position(int length, SplittableRandom random) {
        return random.nextBoolean() ? random.nextInt(Math.min(length, HEADER_BYTES)) : random.nextInt(length);
    }

    private static byte[] insert(byte[] data, int at, byte[] piece) {
        byte[] out = new byte[data.length + piece.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(piece, 0, out, at, piece.length);
        System.arraycopy(data, at, out, at + piece.length, data.length - at);
        return out;
    }
}
