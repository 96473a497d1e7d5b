package dev.spikebit.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dropout masks: a function of the construction seed and the training step, never of the calls before. */
class DropoutTest {
    private static final int T = 3;
    private static final int SIZE = 4096;

    private static Dropout dropout(long seed) {
        Dropout d = new Dropout(0.25f, true, new SplittableRandom(seed));
        d.train(true);
        return d;
    }

    private static float[] output(Dropout d) {
        return d.forward(Tensor.full(1f, T, SIZE)).data();
    }

    @Test
    void aStepDrawsTheSameMasksWhateverRanBefore() {
        Dropout uninterrupted = dropout(11);
        float[] atStepFive = null;
        for (long step = 0; step <= 5; step++) {
            uninterrupted.atStep(step);
            float[] first = output(uninterrupted);
            output(uninterrupted); // a second dropout call within the step
            if (step == 5) {
                atStepFive = first;
            }
        }
        // A network rebuilt from the same seed and resumed at step 5, as after a checkpoint.
        Dropout resumed = dropout(11);
        resumed.atStep(5);
        assertThat(output(resumed)).containsExactly(atStepFive);
    }

    @Test
    void masksChangeFromCallToCallAndStepToStepAndKeepTheRate() {
        Dropout d = dropout(11);
        d.atStep(0);
        float[] first = output(d);
        float[] second = output(d);
        d.atStep(1);
        float[] nextStep = output(d);
        assertThat(second).isNotEqualTo(first);
        assertThat(nextStep).isNotEqualTo(first).isNotEqualTo(second);
        assertThat(output(dropout(12))).isNotEqualTo(output(dropout(11)));
        // One mask per sample over all T steps; about a quarter dropped, the rest scaled by 4/3.
        long dropped = 0;
        for (int i = 0; i < SIZE; i++) {
            for (int t = 1; t < T; t++) {
                assertThat(first[t * SIZE + i]).isEqualTo(first[i]);
            }
            if (first[i] == 0f) {
                dropped++;
            } else {
                assertThat(first[i]).isEqualTo(1f / 0.75f);
            }
        }
        assertThat(dropped).isBetween(SIZE / 4 - 150L, SIZE / 4 + 150L);
    }
}
