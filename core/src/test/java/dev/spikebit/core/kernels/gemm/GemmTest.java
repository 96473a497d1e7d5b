package dev.spikebit.core.kernels.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both fast backends against {@link NaiveGemm}, and the reference itself against products worked
 * out by hand. Every case puts its matrices at non-zero offsets inside larger arrays, with leading
 * dimensions wider than the rows, and checks that nothing outside {@code C}'s rows was written.
 */
class GemmTest {
    private static final Gemm NAIVE = new NaiveGemm();

    static Stream<Named<Gemm>> backends() {
        return Stream.of(named(new JavaGemm()), named(BlasGemm.load()));
    }

    private static Named<Gemm> named(Gemm gemm) {
        return Named.of(gemm.name(), gemm);
    }

    /**
     * Sizes that hit every edge: ones, primes, just over and under the tile, more than one block
     * in each dimension, and the last two large enough to be split over threads, by rows and by
     * columns.
     */
    private static final int[][] SHAPES = {
        {1, 1, 1},
        {3, 5, 7},
        {4, 32, 1},
        {5, 33, 2},
        {17, 33, 65},
        {130, 70, 257},
        {64, 31, 300},
        {7, 300, 9},
        {129, 2100, 3},
        {1, 67, 513},
        {301, 100, 150},
        {41, 500, 300},
    };

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Named<Gemm> gemm : backends().toList()) {
            for (int[] shape : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    cases.add(Arguments.of(gemm, shape[0], shape[1], shape[2], (t & 2) != 0, (t & 1) != 0));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} transA={4} transB={5}")
    @MethodSource("cases")
    void matchesTheReference(Gemm gemm, int m, int n, int k, boolean transA, boolean transB) {
        var random = new SplittableRandom(31L * m + 17L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        var problem = Problem.random(random, m, n, k, transA, transB);
        for (float[] scalars : new float[][] {{1f, 0f}, {-0.75f, 1f}, {1.5f, -2f}}) {
            float alpha = scalars[0];
            float beta = scalars[1];
            float[] expected = problem.c.clone();
            float[] actual = problem.c.clone();
            problem.run(NAIVE, alpha, beta, expected);
            problem.run(gemm, alpha, beta, actual);
            problem.assertClose(actual, expected, alpha, beta);
        }
    }

    static Stream<Arguments> backendsAndTransposes() {
        return backends()
                .flatMap(g -> Stream.of(
                        Arguments.of(g, false, false), Arguments.of(g, false, true),
                        Arguments.of(g, true, false), Arguments.of(g, true, true)));
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("backendsAndTransposes")
    void betaZeroOverwritesNaN(Gemm gemm, boolean transA, boolean transB) {
        var random = new SplittableRandom(5);
        for (int[] shape : new int[][] {{3, 5, 7}, {70, 90, 40}}) {
            var problem = Problem.random(random, shape[0], shape[1], shape[2], transA, transB);
            float[] c = problem.c.clone();
            problem.fillC(c, Float.NaN);
            float[] expected = problem.c.clone();
            problem.run(NAIVE, 2f, 0f, expected);
            problem.run(gemm, 2f, 0f, c);
            problem.assertClose(c, expected, 2f, 0f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void alphaZeroOrEmptyDepthOnlyScalesC(Gemm gemm) {
        float[] a = {Float.NaN, 1, 2, 3};
        float[] b = {Float.NaN, 1, 2, 3};
        float[] c = {1, 2, 3, 4, 99};
        gemm.sgemm(false, false, 2, 2, 2, 0f, a, 0, 2, b, 0, 2, 3f, c, 0, 2);
        assertThat(c).containsExactly(3, 6, 9, 12, 99);
        gemm.sgemm(false, false, 2, 2, 0, 1f, a, 0, 1, b, 0, 2, 0.5f, c, 0, 2);
        assertThat(c).containsExactly(1.5f, 3, 4.5f, 6, 99);
        float[] nan = {Float.NaN, Float.NaN};
        gemm.sgemm(true, true, 1, 2, 0, 1f, a, 0, 1, b, 0, 1, 0f, nan, 0, 2);
        assertThat(nan).containsExactly(0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void refusesMatricesThatDoNotFitTheirArrays(Gemm gemm) {
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        // A is 2 x 3 from offset 1: needs 7 floats.
        assertThatThrownBy(() -> gemm.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A is 2 x 3");
        // C's leading dimension shorter than its rows.
        assertThatThrownBy(() -> gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leading dimension of C");
        // B^T is stored 2 x 3 (n rows of k): ldb 2 is too short.
        assertThatThrownBy(() -> gemm.sgemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leading dimension of B");
        assertThatThrownBy(() -> gemm.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backendsWithReference")
    void multipliesAHandWorkedExample(Gemm gemm) {
        // A = [1 2 3; 4 5 6] at offset 1 with lda 4, B = [7 8; 9 10; 11 12], C = alpha*A*B + beta*C.
        float[] a = {-1, 1, 2, 3, -1, 4, 5, 6};
        float[] b = {7, 8, 9, 10, 11, 12};
        float[] c = {1, 1, -5, 2, 2, -5};
        gemm.sgemm(false, false, 2, 2, 3, 2f, a, 1, 4, b, 0, 2, 0.5f, c, 0, 3);
        // A*B = [58 64; 139 154]
        assertThat(c).containsExactly(116.5f, 128.5f, -5, 279, 309, -5);
        // The same product from the transposes: A^T stored 3 x 2, B^T stored 2 x 3.
        float[] at = {1, 4, 2, 5, 3, 6};
        float[] bt = {7, 9, 11, 8, 10, 12};
        float[] c2 = new float[4];
        gemm.sgemm(true, true, 2, 2, 3, 1f, at, 0, 2, bt, 0, 3, 0f, c2, 0, 2);
        assertThat(c2).containsExactly(58, 64, 139, 154);
    }

    /**
     * The same product, bit for bit, every time: the training shapes of a convolution (a long
     * depth in the weight gradient, long columns in the forward and input gradient), each computed
     * repeatedly on the shared pool and, in the last rounds, from two threads at once.
     */
    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("backendsAndTransposes")
    void repeatsBitForBit(Gemm gemm, boolean transA, boolean transB) throws Exception {
        var random = new SplittableRandom(77);
        for (int[] shape : new int[][] {{64, 288, 3136}, {64, 3136, 288}, {288, 3136, 64}}) {
            var problem = Problem.random(random, shape[0], shape[1], shape[2], transA, transB);
            float[] first = problem.c.clone();
            problem.run(gemm, 1f, 0.5f, first);
            for (int round = 0; round < 3; round++) {
                float[] again = problem.c.clone();
                problem.run(gemm, 1f, 0.5f, again);
                // Arrays.mismatch, not containsExactly: AssertJ's element diff is quadratic on 200k values.
                assertThat(Arrays.mismatch(again, first)).as("round %d", round).isEqualTo(-1);
            }
            float[] other = problem.c.clone();
            Thread concurrent = Thread.ofPlatform().start(() -> problem.run(gemm, 1f, 0.5f, other));
            float[] mine = problem.c.clone();
            problem.run(gemm, 1f, 0.5f, mine);
            concurrent.join();
            assertThat(Arrays.mismatch(mine, first)).isEqualTo(-1);
            assertThat(Arrays.mismatch(other, first)).isEqualTo(-1);
        }
    }

    static Stream<Named<Gemm>> backendsWithReference() {
        return Stream.concat(Stream.of(named(NAIVE)), backends());
    }

    /**
     * One random problem laid out inside larger arrays: A, B and C each start at an offset and
     * have a leading dimension a few floats wider than the stored row, with sentinel values in
     * the gaps that must survive.
     */
    private record Problem(
            int m,
            int n,
            int k,
            boolean transA,
            boolean transB,
            float[] a,
            int aOffset,
            int lda,
            float[] b,
            int bOffset,
            int ldb,
            float[] c,
            int cOffset,
            int ldc) {
        static final float SENTINEL = 12345f;

        static Problem random(SplittableRandom random, int m, int n, int k, boolean transA, boolean transB) {
            int aRows = transA ? k : m;
            int aCols = transA ? m : k;
            int bRows = transB ? n : k;
            int bCols = transB ? k : n;
            int lda = aCols + 3;
            int ldb = bCols + 5;
            int ldc = n + 2;
            return new Problem(
                    m,
                    n,
                    k,
                    transA,
                    transB,
                    filled(random, 7 + aRows * lda),
                    7,
                    lda,
                    filled(random, 11 + bRows * ldb),
                    11,
                    ldb,
                    withSentinels(random, 5, m, n, ldc),
                    5,
                    ldc);
        }

        private static float[] filled(SplittableRandom random, int length) {
            float[] x = new float[length];
            for (int i = 0; i < length; i++) {
                x[i] = (float) random.nextDouble(-1, 1);
            }
            return x;
        }

        private static float[] withSentinels(SplittableRandom random, int offset, int rows, int cols, int ld) {
            float[] c = new float[offset + rows * ld + 4];
            Arrays.fill(c, SENTINEL);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    c[offset + i * ld + j] = (float) random.nextDouble(-1, 1);
                }
            }
            return c;
        }

        void fillC(float[] target, float value) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(target, cOffset + i * ldc, cOffset + i * ldc + n, value);
            }
        }

        void run(Gemm gemm, float alpha, float beta, float[] target) {
            gemm.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, target, cOffset, ldc);
        }

        float opA(int i, int p) {
            return transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
        }

        float opB(int p, int j) {
            return transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
        }

        /**
         * Element by element, within the rounding bound of float accumulation in any order:
         * {@code (k + 2) * 2^-24} times {@code |alpha| * sum |a||b| + |beta * c|}. A wrong element
         * is off by a sizeable fraction of that magnitude, far above the bound.
         */
        void assertClose(float[] actual, float[] expected, float alpha, float beta) {
            double unit = Math.ulp(1f) / 2;
            for (int i = 0; i < actual.length; i++) {
                int inC = i - cOffset;
                boolean inside = inC >= 0 && inC < m * ldc && inC % ldc < n;
                if (!inside) {
                    if (actual[i] != SENTINEL) {
                        assertThat(actual[i]).as("float %d outside C", i).isEqualTo(SENTINEL);
                    }
                    continue;
                }
                int row = inC / ldc;
                int col = inC % ldc;
                double magnitude = beta == 0f ? 0 : Math.abs(beta * (double) c[i]);
                for (int p = 0; p < k; p++) {
                    magnitude += Math.abs(alpha * (double) opA(row, p) * opB(p, col));
                }
                double tolerance = (k + 2) * unit * magnitude + Float.MIN_NORMAL;
                // assertThat only on a miss: a quarter of a million passing AssertJ calls cost seconds.
                if (!(Math.abs((double) actual[i] - expected[i]) <= tolerance)) {
                    assertThat((double) actual[i])
                            .as("C[%d][%d]", row, col)
                            .isCloseTo(expected[i], Offset.offset(tolerance));
                }
            }
        }
    }
}
