package dev.spikebit.bench;

import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.ops.LinearOp;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * fmnist-cnn's first linear layer (3136 -> 128) on one training step's rows ({@code T * B = 4 * 64}),
 * binary inputs at the given density (its inputs are max-pooled spikes, 36% non-zero in training):
 * the layer's forward product as {@code LinearOp} runs it (event-driven over the non-zero inputs up
 * to its density limit, the GEMM above), against the GEMM alone on the same input. Where the two
 * meet is the event product's break-even. Runs on the shared pool ({@code SPIKEBIT_THREADS}), wall
 * time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LinearBench {
    private static final int ROWS = 256;
    private static final int IN = 3136;
    private static final int OUT = 128;

    @Param({"0.01", "0.03", "0.05", "0.08", "0.36"})
    public double density;

    private Tensor x;
    private Tensor w;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        float[] input = RandomInputs.binarySpikes(rng, ROWS * IN, density);
        float[] weight = RandomInputs.gaussian(rng, OUT * IN, 0.05f);
        x = Tensor.of(input, ROWS, IN);
        w = Tensor.of(weight, OUT, IN);
        y = new float[ROWS * OUT];
    }

    /** The layer's forward product, on the path {@code LinearOp} picks for this density. */
    @Benchmark
    public Tensor layer() {
        return LinearOp.linear(x, w, null);
    }

    /** The same product by the GEMM, whatever the density. */
    @Benchmark
    public float[] gemm() {
        Gemms.get().sgemm(false, true, ROWS, OUT, IN, 1f, x.data(), 0, IN, w.data(), 0, IN, 0f, y, 0, OUT);
        return y;
    }
}
