package dev.spikebit.data.mnist;

import static dev.spikebit.data.idx.IdxBytes.gzip;
import static dev.spikebit.data.idx.IdxBytes.idx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading small Fashion-MNIST-shaped files written by the test. */
class FashionMnistTest {
    @TempDir
    Path dir;

    /** Image {@code i}'s pixel {@code p} is {@code (i * 784 + p) mod 256}; label {@code i} is {@code i mod 10}. */
    static byte[] images(int count, int height, int width) {
        byte[] pixels = new byte[count * height * width];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        return idx(new int[] {count, height, width}, pixels);
    }

    static byte[] labels(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return idx(new int[] {count}, labels);
    }

    /** Writes the four files into {@code folder}, compressed or not. */
    static void writeDataset(Path folder, int train, int test, boolean compressed) throws IOException {
        Files.createDirectories(folder);
        write(folder, "train-images-idx3-ubyte", images(train, 28, 28), compressed);
        write(folder, "train-labels-idx1-ubyte", labels(train), compressed);
        write(folder, "t10k-images-idx3-ubyte", images(test, 28, 28), compressed);
        write(folder, "t10k-labels-idx1-ubyte", labels(test), compressed);
    }

    static void write(Path folder, String stem, byte[] content, boolean compressed) throws IOException {
        if (compressed) {
            Files.write(folder.resolve(stem + ".gz"), gzip(content));
        } else {
            Files.write(folder.resolve(stem), content);
        }
    }

    private static FashionMnistFiles filesIn(Path folder) {
        return new FashionMnistLocator(folder, null, folder, java.util.List.of(), (url, target) -> {
                    throw new AssertionError("no download expected");
                })
                .locate();
    }

    @Test
    void loadsBothSplitsScaledToUnitRange() throws IOException {
        writeDataset(dir, 12, 5, true);

        FashionMnistData data = FashionMnist.load(filesIn(dir));

        ArrayDataset train = data.train();
        assertThat(train.name()).isEqualTo("fashion-mnist/train");
        assertThat(data.test().name()).isEqualTo("fashion-mnist/test");
        assertThat(train.size()).isEqualTo(12);
        assertThat(data.test().size()).isEqualTo(5);
        assertThat(train.sampleShape()).containsExactly(1, 28, 28);
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(train.timeSteps()).isZero();
        assertThat(data.directory()).isEqualTo(dir);
        float[] pixels = train.samples();
        for (int i = 0; i < pixels.length; i++) {
            assertThat(pixels[i]).isEqualTo((i & 0xFF) / 255f);
        }
        for (int i = 0; i < 12; i++) {
            assertThat(train.label(i)).isEqualTo(i % 10);
        }
    }

    @Test
    void uncompressedFilesWorkToo() throws IOException {
        writeDataset(dir, 3, 2, false);
        FashionMnistData data = FashionMnist.load(filesIn(dir));
        assertThat(data.train().size()).isEqualTo(3);
        assertThat(data.test().samples()[783]).isEqualTo((783 & 0xFF) / 255f);
    }

    @Test
    void imageAndLabelCountsMustMatch() throws IOException {
        writeDataset(dir, 4, 3, true);
        write(dir, "train-labels-idx1-ubyte", labels(5), true);

        assertThatThrownBy(() -> FashionMnist.load(filesIn(dir)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-labels-idx1-ubyte.gz: holds 5 labels but")
                .hasMessageContaining("train-images-idx3-ubyte.gz holds 4 images");
    }

    @Test
    void labelsMustBeClasses() throws IOException {
        writeDataset(dir, 4, 3, true);
        write(dir, "t10k-labels-idx1-ubyte", idx(new int[] {3}, new byte[] {9, 0, 10}), true);

        assertThatThrownBy(() -> FashionMnist.load(filesIn(dir)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte.gz: label 2 is 10; Fashion-MNIST labels are 0..9");
    }

    @Test
    void imagesMustBe28By28() throws IOException {
        writeDataset(dir, 4, 3, true);
        write(dir, "t10k-images-idx3-ubyte", images(3, 32, 28), true);

        assertThatThrownBy(() -> FashionMnist.load(filesIn(dir)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("t10k-images-idx3-ubyte.gz: holds images of 32x28 pixels");
    }

    @Test
    void labelFileInPlaceOfImagesIsCaught() throws IOException {
        writeDataset(dir, 4, 3, true);
        write(dir, "train-images-idx3-ubyte", labels(4), true);

        assertThatThrownBy(() -> FashionMnist.load(filesIn(dir)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("has 1 dimensions, expected 3");
    }
}
