package dev.spikebit.data.cifar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.data.augment.Augmentation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CifarAugmentationTest {

    private static final int[] SHAPE = {3, 32, 32};

    private static float[] image() {
        float[] x = new float[3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 97) / 96f;
        }
        return x;
    }

    @Test
    void evaluationStandardisesEachChannelWithTheDatasetStatistics() {
        float[] x = image();
        CifarAugmentation.evaluation(Cifar10.STATS).apply(x, 0, SHAPE, new SplittableRandom(1));
        float[] raw = image();
        float[] mean = Cifar10.STATS.mean();
        float[] std = Cifar10.STATS.std();
        for (int i = 0; i < x.length; i++) {
            int c = i / 1024;
            assertThat(x[i]).isCloseTo((raw[i] - mean[c]) / std[c], within(1e-6f));
        }
    }

    @Test
    void cutoutZeroesTheRawImageBeforeNormalisation() {
        // a square twice the image size covers it wherever its centre lands: every pixel is black,
        // so after normalisation each channel holds -mean / std
        float[] x = image();
        Augmentation recipe = CifarAugmentation.training(Cifar100.STATS, 64);
        recipe.apply(x, 0, SHAPE, new SplittableRandom(3));
        float[] mean = Cifar100.STATS.mean();
        float[] std = Cifar100.STATS.std();
        for (int i = 0; i < x.length; i++) {
            int c = i / 1024;
            assertThat(x[i]).isCloseTo(-mean[c] / std[c], within(1e-6f));
        }
    }

    @Test
    void trainingIsRepeatableForTheSameGeneratorAndVariesAcrossGenerators() {
        Augmentation recipe = CifarAugmentation.training(Cifar10.STATS, Cifar10.CUTOUT_SIZE);
        float[] a = image();
        float[] b = image();
        float[] c = image();
        recipe.apply(a, 0, SHAPE, new SplittableRandom(7));
        recipe.apply(b, 0, SHAPE, new SplittableRandom(7));
        recipe.apply(c, 0, SHAPE, new SplittableRandom(8));
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void statisticsCannotBeChangedFromOutside() {
        float[] mean = Cifar10.STATS.mean();
        mean[0] = 99f;
        assertThat(Cifar10.STATS.mean()[0]).isEqualTo(0.4914f);
    }
}
