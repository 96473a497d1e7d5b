package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.runtime.kernels.InputCensus;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The product {@code y = x W^T} of a linear layer over the non-zero inputs alone. A layer that
 * takes spikes sees mostly zeros (an untrained fmnist-cnn's first linear layer in inference: 1%
 * non-zero), and an exact zero adds nothing to a sum, so each row of {@code y} is the sum, over
 * the row's non-zero inputs {@code x[r, k]} in ascending {@code k}, of {@code x[r, k]} times the
 * weights' column {@code k}, a vector of output features at a time from the weights transposed
 * once per call to {@code [in][out]}. Rows are split over the pool, each output element has one
 * writer and a fixed order, so results do not depend on the number of threads; they differ from
 * the GEMM's in the order of additions only.
 */
final class EventLinear {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /**
     * The largest share of non-zero inputs at which the event product is used. It does one
     * multiply-add per loaded weight vector (the GEMM reuses what it loads from registers) and
     * transposes the weights on every call, so it pays only well below a tenth: on fmnist-cnn's
     * first linear layer (256 x 3136 -> 128, two AVX2 cores) it took 1.6 ms at 1% non-zero, 1.9 at
     * 3%, 2.1 at 5% and 2.8 at 8%, the GEMM 1.9 at any density (docs/performance.md).
     */
    static final double MAX_DENSITY = 0.03;

    private EventLinear() {}

    /** {@code x [n, in]} times {@code w [out, in]} transposed, into a new {@code [n, out]}. */
    static float[] forward(float[] x, int n, int in, float[] w, int out) {
        float[] wt = new float[in * out];
        // Eight by eight blocks of vectors where the hardware has them: the scalar copy read each
        // weight from a different row.
        Parallel.range(
                in, 256, (from, to) -> BlockTranspose.transpose(w, from, in, wt, from * out, out, out, to - from));
        float[] y = new float[n * out];
        int vectorEnd = SPECIES.loopBound(out);
        Parallel.range(n, 8, (from, to) -> {
            int[] events = new int[in];
            for (int r = from; r < to; r++) {
                int count = InputCensus.list(x, r * in, in, events);
                int row = r * out;
                for (int o = 0; o < vectorEnd; o += SPECIES.length()) {
                    var sum = FloatVector.zero(SPECIES);
                    for (int e = 0; e < count; e++) {
                        int k = events[e];
                        sum = FloatVector.fromArray(SPECIES, wt, k * out + o)
                                .fma(FloatVector.broadcast(SPECIES, x[r * in + k]), sum);
                    }
                    sum.intoArray(y, row + o);
                }
                for (int o = vectorEnd; o < out; o++) {
                    float sum = 0f;
                    for (int e = 0; e < count; e++) {
                        int k = events[e];
                        sum = Math.fma(wt[k * out + o], x[r * in + k], sum);
                    }
                    y[row + o] = sum;
                }
            }
        });
        return y;
    }
}
