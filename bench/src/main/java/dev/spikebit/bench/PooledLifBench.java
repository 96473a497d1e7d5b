package dev.spikebit.bench;

import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused batch norm + LIF + 2x2 max-pool pass ({@link LIFNode#forwardPooled}) on fmnist-cnn's two
 * neuron layers at T 4, batch 64: {@code stem}, the first convolution's output {@code [64, 32, 28,
 * 28]} repeated over the steps, and {@code conv2}, {@code [4, 64, 64, 14, 14]}. Batch norm in
 * training. {@code inference} is the pass with no gradient recorded (batch norm in evaluation),
 * {@code trainingForward} the forward of a training step (potentials and winners kept), {@code
 * trainingStep} that forward and its backward into the input, gamma and beta.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PooledLifBench {

    @Param({"stem", "conv2"})
    public String layer;

    private static final int STEPS = 4;
    private static final int BATCH = 64;

    private final LIFNode node = new LIFNode();
    private final MaxPool2d pool = new MaxPool2d(2, 2);
    private BatchNorm norm;
    private BatchNorm evalNorm;
    private Tensor x;
    private float[] gradient;
    private int repeatSteps;

    @Setup
    public void setUp() {
        boolean stem = layer.equals("stem");
        int channels = stem ? 32 : 64;
        int side = stem ? 28 : 14;
        int[] shape = stem ? new int[] {BATCH, channels, side, side} : new int[] {STEPS, BATCH, channels, side, side};
        repeatSteps = stem ? STEPS : 0;
        var random = new Random(42);
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] data = new float[size];
        for (int k = 0; k < size; k++) {
            data[k] = (float) random.nextGaussian() + 0.3f;
        }
        x = Tensor.of(data, shape).requiresGrad(true);
        norm = BatchNorm.of2d(channels);
        evalNorm = BatchNorm.of2d(channels);
        evalNorm.eval();
        gradient = new float[STEPS * BATCH * channels * (side / 2) * (side / 2)];
        for (int k = 0; k < gradient.length; k++) {
            gradient[k] = (float) random.nextGaussian();
        }
    }

    @Benchmark
    public Tensor inference() {
        try (var off = NoGrad.enter()) {
            return node.forwardPooled(x, evalNorm, pool, repeatSteps);
        }
    }

    @Benchmark
    public Tensor trainingForward() {
        return node.forwardPooled(x, norm, pool, repeatSteps);
    }

    @Benchmark
    public float[] trainingStep() {
        x.zeroGrad();
        norm.gamma().zeroGrad();
        norm.beta().zeroGrad();
        Tensor y = node.forwardPooled(x, norm, pool, repeatSteps);
        y.backward(gradient);
        return x.grad();
    }
}
