package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The census of a layer's input against its definition, value by value: sizes around the vector
 * length (whole vectors and tails), densities from 0 to 1, and the values whose test is subtle
 * (-0 is zero, NaN and the smallest subnormal are not).
 */
class InputCensusTest {
    private static final float[] SPECIAL = {-0f, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE};

    @Test
    void listAndCountMatchTheDefinition() {
        var rng = new SplittableRandom(5);
        for (int size = 0; size <= 70; size++) {
            for (double density : new double[] {0, 0.1, 0.5, 1}) {
                float[] x = new float[size + Buffers.SLACK];
                Arrays.fill(x, size, x.length, 9f); // after the input: must not be listed
                for (int j = 0; j < size; j++) {
                    double r = rng.nextDouble();
                    x[j] = r < density ? (float) (rng.nextDouble() - 0.5) : 0f;
                    if (rng.nextInt(10) == 0) {
                        x[j] = SPECIAL[rng.nextInt(SPECIAL.length)];
                    }
                }
                int[] expected = new int[size];
                int count = 0;
                for (int j = 0; j < size; j++) {
                    if (x[j] != 0f) {
                        expected[count++] = j;
                    }
                    assertThat(InputCensus.nonZero(x[j])).isEqualTo(x[j] != 0f ? 1 : 0);
                }
                int[] events = new int[size + 1];
                Arrays.fill(events, -1);
                String what = "size %d density %.1f".formatted(size, density);
                assertThat(InputCensus.list(x, size, events)).as(what).isEqualTo(count);
                assertThat(Arrays.copyOf(events, count)).as(what).containsExactly(Arrays.copyOf(expected, count));
                assertThat(InputCensus.nonZeros(x, size)).as(what).isEqualTo(count);
            }
        }
    }
}
