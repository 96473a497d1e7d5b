package dev.spikebit.data.cifar;

import static dev.spikebit.data.cifar.CifarFiles.pixel;
import static dev.spikebit.data.cifar.CifarFiles.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binary version of CIFAR-10/100, laid out as cs.toronto.edu/~kriz/cifar.html documents it. */
class CifarBinaryReaderTest {

    @TempDir
    Path dir;

    @Test
    void cifar10ReadsFiveTrainingBatchesAndTheTestBatchPlaneByPlane() throws IOException {
        for (int b = 1; b <= 5; b++) {
            int first = (b - 1) * 2;
            Files.write(dir.resolve("data_batch_" + b + ".bin"), records(first, new int[][] {{first % 10}, {9}}));
        }
        Files.write(dir.resolve("test_batch.bin"), records(100, new int[][] {{3}}));

        CifarData data = Cifar10.read(dir);
        assertThat(data.train().size()).isEqualTo(10);
        assertThat(data.test().size()).isEqualTo(1);
        assertThat(data.train().sampleShape()).containsExactly(3, 32, 32);
        assertThat(data.train().numClasses()).isEqualTo(10);
        assertThat(data.train().label(4)).isEqualTo(4);
        assertThat(data.train().label(5)).isEqualTo(9);
        assertThat(data.test().label(0)).isEqualTo(3);

        float[] sample = new float[3 * 32 * 32 + 1];
        data.train().copySample(7, sample, 1);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    assertThat(sample[1 + (c * 32 + y) * 32 + x]).isEqualTo(pixel(7, c, y, x) / 255f);
                }
            }
        }
    }

    @Test
    void pixelsScaleToTheClosedUnitInterval() throws IOException {
        byte[] record = new byte[3073];
        record[1] = (byte) 255; // red (0, 0)
        record[1 + 1024 + 33] = (byte) 128; // green (1, 1)
        Files.write(dir.resolve("one.bin"), record);
        CifarImages images =
                new CifarImages("t", CifarBinaryReader.read(List.of(dir.resolve("one.bin")), 1, 0, 10), 10);
        float[] s = new float[3072];
        images.copySample(0, s, 0);
        assertThat(s[0]).isEqualTo(1f);
        assertThat(s[1024 + 33]).isEqualTo(128 / 255f);
        assertThat(s[1]).isZero();
    }

    @Test
    void cifar100KeepsFineLabelsByDefaultAndCoarseOnRequest() throws IOException {
        Files.write(dir.resolve("train.bin"), records(0, new int[][] {{19, 99}, {0, 42}}));
        Files.write(dir.resolve("test.bin"), records(5, new int[][] {{7, 3}}));

        CifarData fine = Cifar100.read(dir, Cifar100.Labels.FINE);
        assertThat(fine.train().label(0)).isEqualTo(99);
        assertThat(fine.train().label(1)).isEqualTo(42);
        assertThat(fine.train().numClasses()).isEqualTo(100);
        assertThat(fine.test().label(0)).isEqualTo(3);

        CifarData coarse = Cifar100.read(dir, Cifar100.Labels.COARSE);
        assertThat(coarse.train().label(0)).isEqualTo(19);
        assertThat(coarse.test().label(0)).isEqualTo(7);
        assertThat(coarse.train().numClasses()).isEqualTo(20);

        float[] s = new float[3072];
        coarse.test().copySample(0, s, 0);
        assertThat(s[2048 + 31 * 32 + 31]).isEqualTo(pixel(5, 2, 31, 31) / 255f); // blue, bottom-right
    }

    @Test
    void aFileThatIsNotWholeRecordsNamesItselfAndTheRecordSize() throws IOException {
        Path cut = Files.write(dir.resolve("data_batch_1.bin"), new byte[3073 * 2 - 1]);
        assertThatThrownBy(() -> CifarBinaryReader.read(List.of(cut), 1, 0, 10))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("not a multiple of 3073");
        Path hundred = Files.write(dir.resolve("train.bin"), new byte[3073]);
        assertThatThrownBy(() -> CifarBinaryReader.read(List.of(hundred), 2, 1, 100))
                .hasMessageContaining("not a multiple of 3074");
    }

    @Test
    void aLabelOutOfRangeIsReported() throws IOException {
        Path file = Files.write(dir.resolve("bad.bin"), records(0, new int[][] {{1}, {10}}));
        assertThatThrownBy(() -> CifarBinaryReader.read(List.of(file), 1, 0, 10))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("record 1 has label 10");
    }

    @Test
    void headCopiesTheFirstImages() throws IOException {
        Files.write(dir.resolve("t.bin"), records(0, new int[][] {{1}, {2}, {3}}));
        CifarImages images = new CifarImages("t", CifarBinaryReader.read(List.of(dir.resolve("t.bin")), 1, 0, 10), 10);
        CifarImages two = images.head(2);
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.label(1)).isEqualTo(2);
        float[] a = new float[3072];
        float[] b = new float[3072];
        images.copySample(1, a, 0);
        two.copySample(1, b, 0);
        assertThat(b).isEqualTo(a);
    }
}
