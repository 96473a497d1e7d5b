package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiled codeword maps against their definition, {@code map_j[i] = sum_{ky, kx} sign_j(ky, kx)
 * tile[i + ky * pitch + kx]} summed in double: every one of the 512 patterns (so every sign
 * combination of the three rows, the all-negative ones included), codebooks that span several
 * generated methods, both the sliding and the vector-at-a-time loop, and nothing written outside
 * the lanes asked for.
 */
class CodewordMapsCompilerTest {
    private static final int V = SignMasks.F.length();

    private static double expected(int id, float[] s, int tile, int pitch, int lane) {
        double sum = 0;
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                float v = s[tile + lane + ky * pitch + kx];
                sum += (id >>> (3 * ky + kx) & 1) != 0 ? v : -v;
            }
        }
        return sum;
    }

    private static float[] randomTile(SplittableRandom rng, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (rng.nextDouble() * 4 - 2);
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 33, 512})
    void slidingRowsMatchTheDefinition(int codewords) {
        SplittableRandom rng = new SplittableRandom(codewords);
        int[] codebook = new int[codewords];
        for (int j = 0; j < codewords; j++) {
            codebook[j] = codewords == 512 ? j : rng.nextInt(512);
        }
        CodewordMaps maps = CodewordMapsCompiler.compile(codebook);
        int pitch = V + 3;
        int rows = 5;
        int tile = 7;
        int dst = tile + (rows + 2) * pitch + V;
        int mapPitch = rows * pitch + V;
        float[] s = randomTile(rng, dst + codewords * mapPitch + 11);
        float[] before = s.clone();
        maps.rows(s, tile, pitch, rows, dst, mapPitch);
        for (int j = 0; j < codewords; j++) {
            for (int y = 0; y < rows; y++) {
                for (int lane = 0; lane < V; lane++) {
                    int i = y * pitch + lane;
                    assertThat((double) s[dst + j * mapPitch + i])
                            .as("codeword %d (pattern %d), row %d, lane %d", j, codebook[j], y, lane)
                            .isCloseTo(expected(codebook[j], before, tile, pitch, i), within(1e-5));
                }
            }
        }
        // The tile and everything before the maps is only read.
        assertThat(Arrays.copyOf(s, dst)).isEqualTo(Arrays.copyOf(before, dst));
    }

    @Test
    void vectorsAtATimeMatchTheDefinitionAndStopAtTheLastVector() {
        SplittableRandom rng = new SplittableRandom(7);
        int[] codebook = {0, 511, 73, 146, 292, 1, 448, 7};
        CodewordMaps maps = CodewordMapsCompiler.compile(codebook);
        int pitch = 9; // 7x7 maps with padding 1: narrower than a vector
        int vectors = 4;
        int tile = 0;
        int dst = 200;
        int mapPitch = vectors * V + 5;
        float[] s = randomTile(rng, dst + codebook.length * mapPitch);
        float[] before = s.clone();
        maps.vectors(s, tile, pitch, vectors, dst, mapPitch);
        for (int j = 0; j < codebook.length; j++) {
            for (int i = 0; i < vectors * V; i++) {
                assertThat((double) s[dst + j * mapPitch + i])
                        .as("codeword %d, lane %d", j, i)
                        .isCloseTo(expected(codebook[j], before, tile, pitch, i), within(1e-5));
            }
            for (int i = vectors * V; i < mapPitch; i++) {
                assertThat(s[dst + j * mapPitch + i])
                        .as("past the last vector")
                        .isEqualTo(before[dst + j * mapPitch + i]);
            }
        }
    }
}
