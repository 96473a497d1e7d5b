package dev.spikebit.data.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.events.CachedFrameDataset;
import dev.spikebit.data.events.EventFrameDataset;
import dev.spikebit.data.events.EventStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated event dataset over a small stand-in for Fashion-MNIST. */
class NFashionMnistTest {

    @TempDir
    Path cacheDir;

    /** Four 28x28 images: black, a square, a bar, a gradient; labels 0..3. */
    static ArrayDataset images() {
        float[] data = new float[4 * 784];
        System.arraycopy(DvsEmulatorTest.square(), 0, data, 784, 784);
        for (int y = 4; y < 24; y++) {
            data[2 * 784 + y * 28 + 13] = 0.8f;
        }
        for (int i = 0; i < 784; i++) {
            data[3 * 784 + i] = (i % 28) / 27f;
        }
        return new ArrayDataset("fashion-mnist/train", data, new int[] {0, 1, 2, 3}, new int[] {1, 28, 28}, 10);
    }

    @Test
    void samplesAreBinnedEmulatedEvents() {
        ArrayDataset images = images();
        EventFrameDataset frames = NFashionMnist.inMemory(images, 6, 11);
        assertThat(frames.name()).isEqualTo("nfashion-mnist/train");
        assertThat(frames.sampleShape()).containsExactly(6, 2, 34, 34);
        assertThat(frames.timeSteps()).isEqualTo(6);
        assertThat(frames.numClasses()).isEqualTo(10);
        assertThat(frames.label(3)).isEqualTo(3);

        EventStream events = frames.source().events(1);
        float[] sample = new float[frames.sampleSize()];
        frames.copySample(1, sample, 0);
        double total = 0;
        for (float c : sample) {
            total += c;
        }
        assertThat(total).isEqualTo(events.size());
        assertThat(total).isGreaterThan(0);

        frames.copySample(0, sample, 0); // the black image
        assertThat(sample).containsOnly(0f);
    }

    @Test
    void theDiskCacheHoldsTheSameFrames() {
        ArrayDataset images = images();
        EventFrameDataset direct = NFashionMnist.inMemory(images, 4, 5);
        CachedFrameDataset cached = NFashionMnist.cached(images, 4, 5, cacheDir);
        float[] a = new float[direct.sampleSize()];
        float[] b = new float[direct.sampleSize()];
        for (int i = 0; i < 4; i++) {
            direct.copySample(i, a, 0);
            cached.copySample(i, b, 0);
            assertThat(b).isEqualTo(a);
        }
        assertThat(NFashionMnist.cached(images, 4, 6, cacheDir).file()).isNotEqualTo(cached.file());
    }
}
