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
 * The input gradient of a 3x3, stride-1, padding-1 convolution by Winograd F(2x2, 3x3) against
 * GEMM + col2im (the system property {@code spikebit.winograd}, which {@code Conv2dOp} reads at
 * each call), on one training step's worth of images of fmnist-cnn's second layer ({@code
 * 32x64x14}: 32 -> 64 channels on 14x14, {@code T * B = 256} images) and on a wider, smaller layer
 * ({@code 64x64x7}). Only the input gradient is asked for (the weights need no gradient). Runs on
 * the shared pool ({@code SPIKEBIT_THREADS}), wall time per call:
 *
 * <pre>bench/run WinogradBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class WinogradBench {
    private static final int IMAGES = 256;

    /** {@code in x out x size}: channels in, channels out, height = width. */
    @Param({"32x64x14", "64x64x7"})
    public String shape;

    /** {@code true}: Winograd; {@code false}: GEMM + col2im. */
    @Param({"true", "false"})
    public String winograd;

    private Tensor x;
    private Tensor w;
    private float[] outputGradient;

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("spikebit.winograd", winograd);
        String[] sizes = shape.split("x");
        int in = Integer.parseInt(sizes[0]);
        int out = Integer.parseInt(sizes[1]);
        int size = Integer.parseInt(sizes[2]);
        SplittableRandom rng = new SplittableRandom(1);
        // Dense input (no zeros): the forward pass here only builds the graph.
        float[] input = new float[IMAGES * in * size * size];
        for (int i = 0; i < input.length; i++) {
            input[i] = 1f + (float) rng.nextDouble();
        }
        float[] weight = RandomInputs.gaussian(rng, out * in * 9, 0.1f);
        outputGradient = RandomInputs.gaussian(rng, IMAGES * out * size * size, 1e-3f);
        x = Tensor.of(input, IMAGES, in, size, size).requiresGrad(true);
        w = Tensor.of(weight, out, in, 3, 3);
    }

    /** A fresh graph for each call: a backward pass consumes its graph. */
    @State(Scope.Thread)
    public static class Graph {
        Tensor y;

        @Setup(Level.Invocation)
        public void forward(WinogradBench b) {
            b.x.zeroGrad();
            y = Conv2dOp.conv2d(b.x, b.w, null, 1, 1);
        }
    }

    @Benchmark
    public float[] inputGradient(Graph graph) {
        graph.y.backward(outputGradient);
        return x.grad();
    }
}
