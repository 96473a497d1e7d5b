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
 * The training engine's convolution on fmnist-cnn's second layer (32 -> 64 channels, 3x3, stride 1,
 * padding 1, 14x14 input) for one training step's worth of images ({@code T * B = 4 * 64}), binary
 * inputs at the given density (the layer's inputs are max-pooled spikes, 31% non-zero in the
 * profile): the forward pass, and each half of the backward pass alone on a random output gradient.
 * Whether a pass runs event-driven or by im2col + GEMM is {@code Conv2dOp}'s choice from the density,
 * as in training. Runs on the shared pool ({@code SPIKEBIT_THREADS}), wall time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBench {
    private static final int IMAGES = 256;
    private static final int IN = 32;
    private static final int OUT = 64;
    private static final int SIZE = 14;

    @Param({"0.31"})
    public double density;

    private Tensor x;
    private Tensor w;
    private float[] outputGradient;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        float[] input = RandomInputs.binarySpikes(rng, IMAGES * IN * SIZE * SIZE, density);
        float[] weight = RandomInputs.gaussian(rng, OUT * IN * 9, 0.1f);
        outputGradient = RandomInputs.gaussian(rng, IMAGES * OUT * SIZE * SIZE, 1e-3f);
        x = Tensor.of(input, IMAGES, IN, SIZE, SIZE);
        w = Tensor.of(weight, OUT, IN, 3, 3);
    }

    /** A graph whose backward computes only the input gradient. */
    @State(Scope.Thread)
    public static class InputGradient {
        Tensor y;

        @Setup(Level.Invocation)
        public void forward(ConvBench b) {
            b.x.zeroGrad();
            b.x.requiresGrad(true);
            b.w.requiresGrad(false);
            y = Conv2dOp.conv2d(b.x, b.w, null, 1, 1);
        }
    }

    /** A graph whose backward computes only the weight gradient. */
    @State(Scope.Thread)
    public static class WeightGradient {
        Tensor y;

        @Setup(Level.Invocation)
        public void forward(ConvBench b) {
            b.w.zeroGrad();
            b.x.requiresGrad(false);
            b.w.requiresGrad(true);
            y = Conv2dOp.conv2d(b.x, b.w, null, 1, 1);
        }
    }

    @Benchmark
    public Tensor forward() {
        x.requiresGrad(false);
        w.requiresGrad(false);
        return Conv2dOp.conv2d(x, w, null, 1, 1);
    }

    @Benchmark
    public float[] inputGradient(InputGradient graph) {
        graph.y.backward(outputGradient);
        return x.grad();
    }

    @Benchmark
    public float[] weightGradient(WeightGradient graph) {
        graph.y.backward(outputGradient);
        return w.grad();
    }
}
