package dev.spikebit.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    /** A 3x4 image with distinct pixels 1..12, row by row. */
    private static float[] image3x4() {
        return new float[] {
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12
        };
    }

    @Test
    void cropShiftsPixelsByTheDrawnOffsetFillingWithZeros() {
        // padding 1: top = 2 means dy = +1 (content moves up), left = 0 means dx = -1 (content moves right)
        float[] image = image3x4();
        var rng = new ScriptedRandom(2, 0);

        new RandomCrop(1).apply(image, 0, new int[] {1, 3, 4}, rng);

        assertThat(image).containsExactly(0, 5, 6, 7, 0, 9, 10, 11, 0, 0, 0, 0);
        assertThat(rng.exhausted()).isTrue();
    }

    @Test
    void cropWithTheCentreOffsetLeavesTheImageAlone() {
        float[] image = image3x4();
        new RandomCrop(2).apply(image, 0, new int[] {1, 3, 4}, new ScriptedRandom(2, 2));
        assertThat(image).containsExactly(image3x4());
    }

    /**
     * Every crop position of a two-plane sample, at an offset inside a larger array, against the
     * definition: build the zero-padded image, cut the window at (top, left).
     */
    @Test
    void everyCropPositionMatchesPadThenCut() {
        int padding = 2;
        int planes = 2;
        int h = 3;
        int w = 4;
        for (int top = 0; top <= 2 * padding; top++) {
            for (int left = 0; left <= 2 * padding; left++) {
                float[] data = new float[5 + planes * h * w + 3];
                for (int i = 0; i < data.length; i++) {
                    data[i] = 100 + i;
                }
                float[] original = data.clone();

                new RandomCrop(padding).apply(data, 5, new int[] {planes, h, w}, new ScriptedRandom(top, left));

                for (int p = 0; p < planes; p++) {
                    float[][] padded = new float[h + 2 * padding][w + 2 * padding];
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            padded[y + padding][x + padding] = original[5 + p * h * w + y * w + x];
                        }
                    }
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            assertThat(data[5 + p * h * w + y * w + x])
                                    .as("plane %d pixel (%d, %d) for top %d left %d", p, y, x, top, left)
                                    .isEqualTo(padded[y + top][x + left]);
                        }
                    }
                }
                // Nothing outside the sample is touched.
                assertThat(data)
                        .startsWith(100, 101, 102, 103, 104)
                        .endsWith(original[data.length - 3], original[data.length - 2], original[data.length - 1]);
            }
        }
    }

    @Test
    void cropPaddingAsWideAsTheImageCanEmptyIt() {
        float[] image = image3x4();
        new RandomCrop(4).apply(image, 0, new int[] {1, 3, 4}, new ScriptedRandom(8, 4)); // dy = +4
        assertThat(image).containsOnly(0f);
    }

    @Test
    void flipMirrorsEachRowOfEachPlane() {
        float[] sample = {
            1, 2, 3,
            4, 5, 6,
            7, 8, 9,
            10, 11, 12
        };
        new HorizontalFlip().apply(sample, 0, new int[] {2, 2, 3}, new ScriptedRandom(0.49));
        assertThat(sample).containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10);

        float[] untouched = image3x4();
        new HorizontalFlip().apply(untouched, 0, new int[] {1, 3, 4}, new ScriptedRandom(0.5));
        assertThat(untouched).containsExactly(image3x4());
    }

    @Test
    void flipHappensAboutHalfTheTimeWithARealGenerator() {
        var rng = new SplittableRandom(7);
        int flips = 0;
        for (int i = 0; i < 2000; i++) {
            float[] row = {1, 2};
            new HorizontalFlip().apply(row, 0, new int[] {1, 1, 2}, rng);
            flips += row[0] == 2 ? 1 : 0;
        }
        assertThat(flips).isBetween(900, 1100); // 2000 fair coins: mean 1000, sd 22
    }

    @Test
    void cutoutZerosASquareClippedAtTheBorder() {
        float[] image = image3x4();
        // size 2: the square spans rows cy-1..cy and columns cx-1..cx; centre (0, 3) clips its top row
        new Cutout(2).apply(image, 0, new int[] {1, 3, 4}, new ScriptedRandom(0, 3));
        assertThat(image).containsExactly(1, 2, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12);

        float[] twoPlanes = new float[24];
        java.util.Arrays.fill(twoPlanes, 1f);
        new Cutout(3).apply(twoPlanes, 0, new int[] {2, 3, 4}, new ScriptedRandom(1, 1));
        float[] plane = {
            0, 0, 0, 1,
            0, 0, 0, 1,
            0, 0, 0, 1
        };
        for (int p = 0; p < 2; p++) {
            assertThat(java.util.Arrays.copyOfRange(twoPlanes, p * 12, p * 12 + 12))
                    .containsExactly(plane);
        }
    }

    @Test
    void normalizeSubtractsMeanAndDividesByStdPerChannel() {
        float[] sample = {1, 3, 5, 7, 2, 6, 10, 14};
        new Normalize(new float[] {1, 2}, new float[] {2, 4}).apply(sample, 0, new int[] {2, 2, 2}, null);
        assertThat(sample).containsExactly(0f, 1f, 2f, 3f, 0f, 1f, 2f, 3f);

        // [T, C, H, W]: the channel axis is third from last, each time step alike.
        float[] frames = {3, 3, 10, 10, 3, 3, 10, 10};
        new Normalize(new float[] {1, 2}, new float[] {2, 4}).apply(frames, 0, new int[] {2, 2, 1, 2}, null);
        assertThat(frames).containsExactly(1f, 1f, 2f, 2f, 1f, 1f, 2f, 2f);
    }

    @Test
    void normalizeChecksItsChannels() {
        assertThatThrownBy(() -> new Normalize(new float[] {0}, new float[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("std must be finite and > 0");
        assertThatThrownBy(() -> new Normalize(new float[] {0, 0}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 means and 1 stds");
        assertThatThrownBy(() -> new Normalize(new float[] {0, 0}, new float[] {1, 1})
                        .apply(new float[12], 0, new int[] {3, 2, 2}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("normalize has 2 channels");
    }

    @Test
    void composeAppliesInOrderSharingTheGenerator() {
        float[] image = image3x4();
        // crop: top 1, left 2 with padding 1 gives dy = 0, dx = +1 (content moves left); then flip
        var rng = new ScriptedRandom(1, 2, 0.1);

        Augmentation.cropAndFlip(1).apply(image, 0, new int[] {1, 3, 4}, rng);

        assertThat(image).containsExactly(0, 4, 3, 2, 0, 8, 7, 6, 0, 12, 11, 10);
        assertThat(rng.exhausted()).isTrue();

        float[] twice = image3x4();
        new HorizontalFlip(1)
                .andThen(new HorizontalFlip(1))
                .apply(twice, 0, new int[] {1, 3, 4}, new ScriptedRandom(0.3, 0.9));
        assertThat(twice).containsExactly(image3x4());
    }

    @Test
    void spatialTransformsNeedHeightAndWidth() {
        assertThatThrownBy(() -> new RandomCrop(1).apply(new float[4], 0, new int[] {4}, new ScriptedRandom(0, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("random crop needs samples");
        assertThatThrownBy(() -> new RandomCrop(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HorizontalFlip(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Cutout(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
