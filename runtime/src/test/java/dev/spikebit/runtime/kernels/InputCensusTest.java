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

    /**
     * The list of a slice {@code x[from .. from + size)} into an array of exactly {@code size} ints
     * (the least the list may be given): sizes up to a few vectors past the 16-lane groups, and the
     * 3136 inputs of fmnist-cnn's first linear layer, with values before and after the slice that
     * must not be listed.
     */
    @Test
    void listOfASliceFitsInSizeInts() {
        var rng = new SplittableRandom(7);
        for (int size : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 49, 63, 100, 3136}) {
            for (double density : new double[] {0, 0.25, 0.7, 1}) {
                int from = rng.nextInt(20);
                float[] x = new float[from + size + Buffers.SLACK];
                Arrays.fill(x, 3f);
                int[] expected = new int[size];
                int count = 0;
                for (int j = 0; j < size; j++) {
                    x[from + j] = rng.nextDouble() < density ? (float) rng.nextDouble() + 0.5f : 0f;
                    if (x[from + j] != 0f) {
                        expected[count++] = j;
                    }
                }
                int[] events = new int[size];
                String what = "size %d density %.2f from %d".formatted(size, density, from);
                assertThat(InputCensus.list(x, from, size, events)).as(what).isEqualTo(count);
                assertThat(Arrays.copyOf(events, count)).as(what).containsExactly(Arrays.copyOf(expected, count));
            }
        }
    }

    /**
     * The change from an earlier input with the earlier buffer overwritten in the same pass: the
     * same differences as {@link InputCensus#subtract}, the earlier buffer then equal to the input,
     * and nothing written past {@code size} (sizes with and without a tail of the vector).
     */
    @Test
    void subtractAndKeepIsSubtractThenACopy() {
        var rng = new SplittableRandom(11);
        for (int size = 0; size <= 41; size++) {
            float[] x = new float[size];
            float[] earlier = new float[size + 3];
            for (int j = 0; j < size; j++) {
                x[j] = rng.nextInt(3) == 0 ? 0f : (float) rng.nextDouble();
                earlier[j] = rng.nextBoolean() ? x[j] : (rng.nextBoolean() ? 0f : (float) rng.nextDouble());
            }
            Arrays.fill(earlier, size, earlier.length, 7f);
            float[] expected = new float[size + 3];
            Arrays.fill(expected, 5f);
            InputCensus.subtract(x, earlier, size, expected);
            float[] delta = new float[size + 3];
            Arrays.fill(delta, 5f);
            InputCensus.subtractAndKeep(x, earlier, size, delta);
            assertThat(delta).as("size " + size).containsExactly(expected);
            assertThat(Arrays.copyOf(earlier, size)).containsExactly(x);
            assertThat(Arrays.copyOfRange(earlier, size, size + 3)).containsOnly(7f);
        }
    }
}
