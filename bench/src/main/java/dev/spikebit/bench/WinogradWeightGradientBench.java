package dev.spikebit.bench;

import dev.spikebit.core.ops.Conv2dOp;
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
 * The weight gradient of fmnist-cnn's second layer (32 -> 64 channels, 3x3, stride 1, padding 1,
 * on 14x14; {@code T * B = 256} images) by Winograd F(2x2, 3x3) against what {@code Conv2dOp}
 * takes without it ({@code -Dspikebit.winograd=false}, read at each call): the event-driven sum up
 * to its density limit, im2col + GEMM above. The input is spikes (zeros and ones) of the given
 * density; this is where the density from which Winograd is taken was measured. Only the weight
 * gradient is asked for, unless {@code both} (then the input gradient too, as in training). Runs
 * on the shared pool ({@code SPIKEBIT_THREADS}), wall time per call:
 *
 * <pre>bench/run WinogradWeightGradientBench
 * bench/run WinogradWeightGradientBench -p density=0.3 -p both=true</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class WinogradWeightGradientBench {
    private static final int IMAGES = 256;
    private static final int IN = 32;
    private static final int OUT = 64;
    private static final int SIZE = 14;

    /** Fraction of the input that is not zero. */
    @Param({"0.1", "0.2", "0.3", "0.4", "0.5"})
    public double density;

    /** {@code true}: Winograd; {@code false}: the event-driven sum or im2col + GEMM. */
    @Param({"true", "false"})
    public String winograd;

    /**
     * {@code true}: the input gradient is asked for too, so that with Winograd both gradients go in
     * one pass ({@code -p both=true}); by default only the weight gradient.
     */
    @Param({"false"})
    public boolean both;

    private Tensor x;
    private Tensor w;
    private float[] outputGradient;

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("spikebit.winograd", winograd);
        SplittableRandom rng = new SplittableRandom(1);
        float[] input = RandomInputs.binarySpikes(rng, IMAGES * IN * SIZE * SIZE, density);
        float[] weight = RandomInputs.gaussian(rng, OUT * IN * 9, 0.1f);
        outputGradient = RandomInputs.gaussian(rng, IMAGES * OUT * SIZE * SIZE, 1e-3f);
        x = Tensor.of(input, IMAGES, IN, SIZE, SIZE).requiresGrad(both);
        w = Tensor.of(weight, OUT, IN, 3, 3).requiresGrad(true);
    }

    /** A fresh graph for each call: a backward pass consumes its graph. */
    @State(Scope.Thread)
    public static class Graph {
        Tensor y;

        @Setup(Level.Invocation)
        public void forward(WinogradWeightGradientBench b) {
            b.w.zeroGrad();
            if (b.both) {
                b.x.zeroGrad();
            }
            y = Conv2dOp.conv2d(b.x, b.w, null, 1, 1);
        }
    }

    @Benchmark
    public float[] weightGradient(Graph graph) {
        graph.y.backward(outputGradient);
        return w.grad();
    }
}
