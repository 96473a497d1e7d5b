package dev.spikebit.data.mnist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.RealData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real Fashion-MNIST, where Debian's dataset-fashion-mnist has installed it. */
class FashionMnistRealDataTest {

    @Test
    void installedDatasetHasTheKnownCountsClassesAndRange() {
        RealData.requireFashionMnist();
        var locator = new FashionMnistLocator(
                FashionMnistLocator.SYSTEM_DIR, null, Path.of("/nonexistent"), List.of(), (url, target) -> {
                    throw new AssertionError("no download expected");
                });

        FashionMnistData data = FashionMnist.load(locator.locate());

        assertThat(data.train().size()).isEqualTo(60_000);
        assertThat(data.test().size()).isEqualTo(10_000);
        assertThat(histogram(data.train())).containsOnly(6_000);
        assertThat(histogram(data.test())).containsOnly(1_000);
        for (ArrayDataset split : List.of(data.train(), data.test())) {
            assertThat(split.samples()).hasSize(split.size() * 784);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            double sum = 0;
            for (float v : split.samples()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            assertThat(min).isEqualTo(0f);
            assertThat(max).isEqualTo(1f);
            // The published mean pixel of Fashion-MNIST is about 0.286 (train) and 0.287 (test).
            assertThat(sum / split.samples().length).isBetween(0.28, 0.29);
        }
    }

    private static int[] histogram(ArrayDataset split) {
        int[] counts = new int[FashionMnist.NUM_CLASSES];
        for (int i = 0; i < split.size(); i++) {
            counts[split.label(i)]++;
        }
        return counts;
    }
}
