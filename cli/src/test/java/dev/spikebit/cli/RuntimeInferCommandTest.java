package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.runtime.Model;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code spikebit infer} on a deployed ReverB fmnist-cnn: predictions from a dataset split, an
 * IDX file, a PNG and a folder of PNGs agree with {@link Model#predict}, the accuracy line is that
 * of the predictions, and the per-layer table is printed. The deployed file's size is within 1%
 * plus 4 KiB of the information it carries.
 */
class RuntimeInferCommandTest {
    @TempDir
    static Path dir;

    private static String run(String... args) {
        InferCommand command = new InferCommand();
        new CommandLine(command).parseArgs(args);
        var bytes = new ByteArrayOutputStream();
        command.infer(new PrintStream(bytes, true));
        return bytes.toString();
    }

    @Test
    void predictsFromEachKindOfInput() throws IOException {
        FashionMnistData data = RuntimeFixtures.fashionMnist();
        Path file = RuntimeFixtures.deployed("fmnist-cnn", "real", 1280, dir).file();
        String copy = System.getProperty("spikebit.test.keepDeployed");
        if (copy != null) {
            Files.copy(file, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
        }
        Model model = Model.load(file);
        int n = 40;
        float[] images = RuntimeFixtures.images(data.test(), 0, n);
        int[] expected = model.predict(images, n);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += expected[i] == data.test().label(i) ? 1 : 0;
        }

        String split = run(
                "--model",
                file.toString(),
                "--input",
                "fashion-mnist:test",
                "--limit",
                "40",
                "--batch",
                "16",
                "--show",
                "40");
        for (int i = 0; i < n; i++) {
            assertThat(split)
                    .contains("test[" + i + "]: class " + expected[i] + " (label "
                            + data.test().label(i) + ")");
        }
        assertThat(split).contains(String.format("accuracy %.2f%%", 100.0 * correct / n));
        assertThat(split).contains("body.2", "sign_conv", "body.7", "sign_linear", "total");

        // The same images as an IDX file and as PNGs (pixels b / 255, so the round trip is exact).
        byte[] raw = new byte[n * 784];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) Math.round(images[i] * 255f);
        }
        Path idx = dir.resolve("images-idx3-ubyte");
        ByteBuffer header =
                ByteBuffer.allocate(16).putInt(0x00000803).putInt(n).putInt(28).putInt(28);
        Files.write(idx, concat(header.array(), raw));
        String fromIdx = run("--model", file.toString(), "--input", idx.toString(), "--show", "40", "--path", "events");
        Path pngs = Files.createDirectories(dir.resolve("pngs"));
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setPixels(0, 0, 28, 28, toInts(Arrays.copyOfRange(raw, i * 784, (i + 1) * 784)));
            ImageIO.write(
                    image, "png", pngs.resolve(String.format("img%03d.png", i)).toFile());
        }
        String fromFolder =
                run("--model", file.toString(), "--input", pngs.toString(), "--show", "40", "--path", "dense");
        String fromPng = run(
                "--model",
                file.toString(),
                "--input",
                pngs.resolve("img003.png").toString());
        for (int i = 0; i < n; i++) {
            assertThat(fromIdx).contains("image " + i + ": class " + expected[i]);
            assertThat(fromFolder).contains(String.format("img%03d.png: class %d", i, expected[i]));
        }
        assertThat(fromPng).contains("img003.png: class " + expected[3]);
    }

    @Test
    void deployedFileIsTheInformationPlusASmallHeader() {
        RuntimeFixtures.fashionMnist();
        Path file = RuntimeFixtures.deployed("fmnist-cnn", "real", 1280, dir).file();
        Model model = Model.load(file);
        System.out.printf(
                "fmnist-cnn (real spikes, binary weights): file %,d bytes, information %,d bytes%n",
                model.fileBytes(), model.informationBytes());
        assertThat(model.fileBytes()).isLessThanOrEqualTo((long) (model.informationBytes() * 1.01) + 4096);
        assertThat(model.fileBytes()).isGreaterThan(model.informationBytes());
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
