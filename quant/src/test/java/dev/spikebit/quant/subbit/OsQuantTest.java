package dev.spikebit.quant.subbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class OsQuantTest {
    /** The paper's figure, as docs/methods.md 3 spells it out. */
    private static final float[] PAPER = {.8f, .7f, 5.0f, -.9f, -.8f, -.7f, -.9f, -.8f, -.9f};

    @Test
    void paperExampleScalesTheOutlierToOne() {
        float[] hat = OsQuant.scaleKernel(PAPER);
        // Q1 = -0.9, Q3 = 0.75, fences -3.375 and 3.225: only 5.0 is outside; Omega = (4.3 + 5.7) / 2 = 5.
        assertThat(hat[2]).isCloseTo(1.0f, within(1e-6f));
        for (int k = 0; k < 9; k++) {
            if (k != 2) {
                assertThat(hat[k]).isEqualTo(PAPER[k]);
            }
        }
    }

    @Test
    void paperExampleChangesTheChosenCodeword() {
        int ka = 1 << 2; // +1 only at the outlier's place
        int kb = 0b011; // the other eight signs (+ + at taps 0, 1; - elsewhere), -1 at the outlier
        var codebook = new Codebook(new int[] {ka, kb});
        assertThat(score(ka, PAPER)).isCloseTo(8.5f, within(1e-5f));
        assertThat(score(kb, PAPER)).isCloseTo(1.5f, within(1e-5f));
        assertThat(CodewordSelection.select(PAPER, codebook)).containsExactly(0);

        float[] hat = OsQuant.scaleKernel(PAPER);
        assertThat(score(ka, hat)).isCloseTo(4.5f, within(1e-5f));
        assertThat(score(kb, hat)).isCloseTo(5.5f, within(1e-5f));
        assertThat(CodewordSelection.select(hat, codebook)).containsExactly(1);
    }

    @Test
    void kernelWithoutOutlierIsUnchanged() {
        // Sorted 0.1 .. 0.9: Q1 = 0.25, Q3 = 0.75, fences -0.5 and 1.5.
        float[] w = {.5f, .1f, .9f, .3f, .7f, .2f, .8f, .4f, .6f};
        assertThat(OsQuant.scaleKernel(w)).containsExactly(w);
    }

    @Test
    void twoOutliersInCornersAreEachDividedByTheirOwnOmega() {
        float[] w = {-4f, .1f, .2f, .1f, 0f, -.1f, .2f, -.1f, 6f};
        // Sorted: -4, -.1, -.1, 0, .1, .1, .2, .2, 6 -> Q1 = -0.1, Q3 = 0.2, IQR 0.3, fences -0.55 and 0.65.
        float[] hat = OsQuant.scaleKernel(w);
        double omegaCorner0 = (Math.abs(-4.0 - (double) .1f) + Math.abs(-4.0 - (double) .1f)) / 2; // right, below
        double omegaCorner8 = (Math.abs(6.0 - (double) -.1f) + Math.abs(6.0 - (double) -.1f)) / 2; // above, left
        assertThat(hat[0]).isCloseTo((float) (-4.0 / omegaCorner0), within(1e-7f));
        assertThat(hat[8]).isCloseTo((float) (6.0 / omegaCorner8), within(1e-7f));
        assertThat(hat[0]).isCloseTo(-4f / 4.1f, within(1e-6f));
        assertThat(hat[8]).isCloseTo(6f / 6.1f, within(1e-6f));
        for (int k = 1; k < 8; k++) {
            assertThat(hat[k]).isEqualTo(w[k]);
        }
    }

    @Test
    void centreOutlierAveragesFourNeighbours() {
        float[] w = {0f, 0f, 0f, 0f, 10f, .5f, 0f, 0f, 0f};
        // Highest four 0, 0, .5, 10 -> Q3 = 0.25; Q1 = 0; fences -0.375 and 0.625: 0.5 stays, 10 is out.
        // Omega = (10 + 10 + 9.5 + 10) / 4 = 9.875.
        float[] hat = OsQuant.scaleKernel(w);
        assertThat(hat[4]).isCloseTo(10f / 9.875f, within(1e-6f));
        assertThat(hat[5]).isEqualTo(.5f);
    }

    @Test
    void lowOutlierOnAnEdgeUsesThreeNeighbours() {
        float[] w = {.3f, -5f, .2f, .1f, .2f, .3f, .1f, .2f, .3f};
        // Sorted -5, .1, .1, .2, .2, .2, .3, .3, .3: Q1 = 0.1, Q3 = 0.3, fences -0.2 and 0.6.
        // Omega of tap 1 (top edge): neighbours tap 0 (.3), tap 2 (.2), tap 4 (.2) -> (5.3 + 5.2 + 5.2) / 3.
        float[] hat = OsQuant.scaleKernel(w);
        assertThat(hat[1]).isCloseTo(-5f / ((5.3f + 5.2f + 5.2f) / 3f), within(1e-6f));
    }

    @Test
    void wholeWeightMatchesKernelByKernel() {
        var rng = new java.util.SplittableRandom(3);
        float[] w = new float[9 * 1000];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian() * (rng.nextInt(20) == 0 ? 8 : 1);
        }
        float[] all = OsQuant.scale(w);
        for (int kernel = 0; kernel < 1000; kernel++) {
            float[] one = OsQuant.scaleKernel(java.util.Arrays.copyOfRange(w, kernel * 9, kernel * 9 + 9));
            assertThat(java.util.Arrays.copyOfRange(all, kernel * 9, kernel * 9 + 9))
                    .containsExactly(one);
        }
    }

    private static float score(int pattern, float[] w) {
        float s = 0;
        for (int k = 0; k < 9; k++) {
            s += SignPattern.sign(pattern, k) * w[k];
        }
        return s;
    }
}
