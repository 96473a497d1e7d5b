package dev.spikebit.bench.fuzz;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainConfig;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * Writes the fuzz seed corpus, {@code bench/fuzz-corpus/READER/}: small valid files of every
 * format, built here so that the corpus can be regenerated and checked ({@code SeedCorpusTest}
 * reads every seed back as valid). Run from the repository root:
 * {@code mvn -B -q -pl bench -am test-compile} then this class's main with the test class path.
 */
public final class SeedCorpus {

    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        write(Path.of(args.length > 0 ? args[0] : "bench/fuzz-corpus"));
    }

    static void write(Path root) throws IOException {
        byte[] idx = idx();
        put(root, "idx", "images.idx", idx);
        put(root, "idx", "images.idx.gz", gzip(idx));
        put(root, "idx", "labels.idx", labels());
        put(root, "cifar", "two-records.bin", cifarRecords(2));
        put(root, "targz", "cifar.tar.gz", gzip(tar(FuzzTargets.TAR_MEMBER, cifarRecords(1))));
        put(root, "atis", "nmnist.bin", atis());
        put(root, "aedat2", "dvs128.aedat", aedat2());
        put(root, "aedat31", "dvs128.aedat", aedat31());
        put(
                root,
                "gesture-csv",
                "labels.csv",
                ("class,startTime_usec,endTime_usec\n1,100,900\n2,1000,2500\n11,3000,3001\n")
                        .getBytes(StandardCharsets.US_ASCII));
        put(root, "png", "gray.png", png(BufferedImage.TYPE_BYTE_GRAY));
        put(root, "png", "rgb.png", png(BufferedImage.TYPE_INT_RGB));
        put(root, "png", "rgba.png", png(BufferedImage.TYPE_INT_ARGB));
        put(root, "png", "gray16.png", png(BufferedImage.TYPE_USHORT_GRAY));
        put(root, "png", "palette.png", palettePng());
        // A tiny vggsnn-s (8x8 event frames: three poolings to 1x1), full precision and ReverB binary.
        ModelSpec fp = ModelSpec.defaults("vggsnn-s", 1, 2, 8, 3);
        Path ckpt = root.resolve("checkpoint");
        Files.createDirectories(ckpt);
        Checkpoint.save(ckpt.resolve("fp.safetensors"), fp, ModelZoo.build(fp, 1), null, info(fp));
        ModelSpec binary = fp.withSpikes(SpikeKind.REAL).withWeights(WeightKind.BINARY);
        SpikingClassifier reverb = QuantModels.build(binary, 2);
        Checkpoint.save(ckpt.resolve("binary.safetensors"), binary, reverb, null, info(binary));
        Path deployed = root.resolve("deployed");
        Files.createDirectories(deployed);
        reverb.eval();
        DeployedFormat.save(deployed.resolve("reverb.safetensors"), Reparameterizer.deploy(reverb));
        put(root, "resume", "metadata.json", Json.write(info(fp)).getBytes(StandardCharsets.UTF_8));
    }

    /** What a trainer stores beside the tensors after epoch 1 of 3. */
    private static Map<String, String> info(ModelSpec spec) throws IOException {
        TrainConfig config = TrainConfig.builder(spec)
                .epochs(3)
                .batchSize(16)
                .schedule("step:100:0.5")
                .trainLimit(64)
                .testLimit(32)
                .build();
        Map<String, String> info = new LinkedHashMap<>();
        info.put("epoch", "1");
        info.put("test_accuracy", "0.25");
        info.put("train_config", config.toJson());
        info.put("history", EpochMetrics.toJson(List.of(new EpochMetrics(1, 2.1, 0.2, 2.0, 0.25, 100, 1.5, 1e-3))));
        info.put("best_accuracy", "0.25");
        return info;
    }

    private static void put(Path root, String target, String name, byte[] bytes) throws IOException {
        Path dir = root.resolve(target);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }

    /** Three 5x4 images, IDX unsigned bytes, rank 3. */
    private static byte[] idx() {
        ByteBuffer b = ByteBuffer.allocate(16 + 3 * 5 * 4);
        b.putInt(0x0803).putInt(3).putInt(5).putInt(4);
        for (int i = 0; i < 60; i++) {
            b.put((byte) (i * 37));
        }
        return b.array();
    }

    private static byte[] labels() {
        ByteBuffer b = ByteBuffer.allocate(8 + 3);
        b.putInt(0x0801).putInt(3).put((byte) 1).put((byte) 9).put((byte) 0);
        return b.array();
    }

    private static byte[] cifarRecords(int n) {
        byte[] out = new byte[n * 3073];
        for (int r = 0; r < n; r++) {
            out[r * 3073] = (byte) (r * 3 % 10);
            for (int i = 1; i < 3073; i++) {
                out[r * 3073 + i] = (byte) (i * 7 + r);
            }
        }
        return out;
    }

    /** A ustar archive of one regular file. */
    private static byte[] tar(String name, byte[] content) {
        byte[] h = new byte[512];
        ascii(h, 0, name);
        ascii(h, 100, "0000644");
        ascii(h, 108, "0001750");
        ascii(h, 116, "0001750");
        ascii(h, 124, String.format("%011o", content.length));
        ascii(h, 136, String.format("%011o", 1_300_000_000L));
        h[156] = '0';
        ascii(h, 257, "ustar");
        ascii(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte x : h) {
            sum += x & 0xFF;
        }
        ascii(h, 148, String.format("%06o", sum));
        h[154] = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h);
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void ascii(byte[] h, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    /** Ten N-MNIST events: x, y, polarity << 7 | t[22:16], t[15:8], t[7:0]. */
    private static byte[] atis() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            int t = 1000 * i + 7;
            out.write(i * 3 % 34);
            out.write(i * 5 % 34);
            out.write((i % 2) << 7 | (t >>> 16) & 0x7F);
            out.write(t >>> 8 & 0xFF);
            out.write(t & 0xFF);
        }
        return out.toByteArray();
    }

    private static byte[] aedatHeader(String... lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** jAER DVS128: big-endian address (bit 0 polarity, 1-7 column, 8-14 row) and timestamp. */
    private static byte[] aedat2() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(aedatHeader("#!AER-DAT2.0", "# This is a raw AE data file created by saveAERDataToFile"));
        ByteBuffer events = ByteBuffer.allocate(80).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 10; i++) {
            events.putInt((i * 11 % 128) << 8 | (i * 13 % 128) << 1 | i % 2).putInt(500 * i + 3);
        }
        out.writeBytes(events.array());
        return out.toByteArray();
    }

    /** cAER: a text header, then one packet of ten polarity events, little-endian. */
    private static byte[] aedat31() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(aedatHeader("#!AER-DAT3.1", "#Format: RAW", "#Source 1: DVS128", "#!END-HEADER"));
        ByteBuffer packet = ByteBuffer.allocate(28 + 80).order(ByteOrder.LITTLE_ENDIAN);
        packet.putShort((short) 1)
                .putShort((short) 1)
                .putInt(8)
                .putInt(4)
                .putInt(0)
                .putInt(10)
                .putInt(10)
                .putInt(10);
        for (int i = 0; i < 10; i++) {
            int data = (i * 11 % 128) << 17 | (i * 13 % 128) << 2 | (i % 2) << 1 | 1;
            packet.putInt(data).putInt(400 * i + 9);
        }
        out.writeBytes(packet.array());
        return out.toByteArray();
    }

    private static byte[] png(int type) throws IOException {
        BufferedImage image = new BufferedImage(5, 4, type);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                image.setRGB(x, y, 0xFF000000 | (x * 50) << 16 | (y * 60) << 8 | (x + y) * 25);
            }
        }
        return encode(image);
    }

    private static byte[] palettePng() throws IOException {
        byte[] r = {0, (byte) 255, 0, 40};
        byte[] g = {0, 0, (byte) 255, 80};
        byte[] b = {0, 0, 0, (byte) 120};
        BufferedImage image =
                new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(2, 4, r, g, b));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                image.getRaster().setSample(x, y, 0, (x + y) % 4);
            }
        }
        return encode(image);
    }

    private static byte[] encode(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
