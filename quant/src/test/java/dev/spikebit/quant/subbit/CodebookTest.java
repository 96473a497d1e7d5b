package dev.spikebit.quant.subbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CodebookTest {
    @Test
    void patternIdSetsBitKForPlusOneAtRowMajorTapK() {
        float[] w = {1, -1, -1, -1, -1, -1, -1, -1, 0};
        assertThat(SignPattern.of(w, 0)).isEqualTo(1 | 1 << 8); // sign(0) = +1
        assertThat(SignPattern.draw(1 | 1 << 8)).isEqualTo("+--/---/--+");
        assertThat(SignPattern.values(0b111)).containsExactly(1, 1, 1, -1, -1, -1, -1, -1, -1);
    }

    @Test
    void statisticsCountPatternsAndRankTiesByLowerId() {
        // Kernels with patterns 7, 7, 7, 3, 3, 9, 5 (as +-0.5 values).
        int[] patterns = {7, 7, 7, 3, 3, 9, 5};
        float[] w = new float[patterns.length * 9];
        for (int i = 0; i < patterns.length; i++) {
            for (int k = 0; k < 9; k++) {
                w[i * 9 + k] = SignPattern.sign(patterns[i], k) * 0.5f;
            }
        }
        var stats = KernelStatistics.of(w);
        assertThat(stats.kernels()).isEqualTo(7);
        assertThat(stats.counts()[7]).isEqualTo(3);
        assertThat(stats.counts()[3]).isEqualTo(2);
        int[] rank = stats.ranking();
        assertThat(rank[0]).isEqualTo(7);
        assertThat(rank[1]).isEqualTo(3);
        assertThat(rank[2]).isEqualTo(5); // 5 and 9 once each: the lower id first
        assertThat(rank[3]).isEqualTo(9);
        assertThat(rank[4]).isEqualTo(0); // then the unseen patterns, by id
        assertThat(stats.codebook(2).patterns()).containsExactly(7, 3, 5, 9);
        assertThat(stats.coverage(1)).isEqualTo(3.0 / 7);
        assertThat(stats.coverage(2)).isEqualTo(5.0 / 7);
        assertThat(stats.coverage(16)).isEqualTo(1.0);
    }

    @Test
    void codebookRejectsBadSizesAndDuplicates() {
        assertThatThrownBy(() -> new Codebook(new int[] {1, 2, 3})).hasMessageContaining("2^eta");
        assertThatThrownBy(() -> new Codebook(new int[] {1, 1})).hasMessageContaining("twice");
        assertThatThrownBy(() -> new Codebook(new int[] {1, 512})).hasMessageContaining("outside");
        assertThatThrownBy(() -> KernelStatistics.of(new float[9]).codebook(9)).hasMessageContaining("1..8");
        assertThat(Codebook.fromFloats(new Codebook(new int[] {5, 0, 511, 3}).asFloats())
                        .patterns())
                .containsExactly(5, 0, 511, 3);
    }

    @Test
    void selectionIsTheNearestCodewordWithTiesToTheLowerIndex() {
        var rng = new SplittableRandom(11);
        for (int eta = 1; eta <= 8; eta++) {
            int[] ids = shuffledPatterns(rng, 1 << eta);
            var codebook = new Codebook(ids);
            float[] w = new float[9 * 777];
            for (int i = 0; i < w.length; i++) {
                // Some exact small integers, so that ties occur.
                w[i] = i % 5 == 0 ? rng.nextInt(3) - 1 : (float) rng.nextGaussian();
            }
            int[] fast = CodewordSelection.select(w, codebook);
            assertThat(CodewordSelection.selectScalar(w, codebook)).containsExactly(fast);
            for (int kernel = 0; kernel < 777; kernel++) {
                int expected = nearest(w, kernel, ids);
                if (fast[kernel] != expected) { // only a tie that float rounding decides differently
                    assertThat(distance(w, kernel, ids[fast[kernel]]))
                            .isCloseTo(distance(w, kernel, ids[expected]), within(1e-5));
                }
            }
        }
    }

    /** Brute force in double: the smallest squared distance, the first on ties. */
    private static int nearest(float[] w, int kernel, int[] ids) {
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int j = 0; j < ids.length; j++) {
            double d = distance(w, kernel, ids[j]);
            if (d < bestDistance - 1e-9) {
                best = j;
                bestDistance = d;
            }
        }
        return best;
    }

    private static double distance(float[] w, int kernel, int pattern) {
        double d = 0;
        for (int k = 0; k < 9; k++) {
            double diff = SignPattern.sign(pattern, k) - w[kernel * 9 + k];
            d += diff * diff;
        }
        return d;
    }

    private static int[] shuffledPatterns(SplittableRandom rng, int n) {
        int[] all = new int[512];
        for (int i = 0; i < 512; i++) {
            all[i] = i;
        }
        for (int i = 511; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, n);
    }
}
