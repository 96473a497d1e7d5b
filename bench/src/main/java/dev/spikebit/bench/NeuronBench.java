package dev.spikebit.bench;

import dev.spikebit.core.neuron.kernel.LifKernel;
import dev.spikebit.core.neuron.kernel.NeuronConfig;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.neuron.surrogate.ATan;
import dev.spikebit.core.neuron.surrogate.Rectangle;
import dev.spikebit.core.neuron.surrogate.Sigmoid;
import dev.spikebit.core.neuron.surrogate.Surrogate;
import dev.spikebit.core.neuron.surrogate.Triangle;
import java.util.List;
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
 * The multi-step LIF kernels of {@code core.neuron.kernel}, forward and backward, on the neuron
 * layers of real networks: {@code N = 12,800} and {@code N = 64 x 64 x 14 x 14 = 802,816} (a batch
 * of 64 through a 64-channel 14x14 stage), T = 4. Divide the time per operation by {@code T * N} for
 * nanoseconds per element.
 *
 * <p>{@code polluted = true} first runs every surrogate, output mode and option through both
 * kernels, as a real network with several kinds of neuron layer does, so that every branch in the
 * kernels has been seen taken both ways; the figures must not move, or the JIT has lost the
 * kernels' vector code (a vector it cannot keep in registers is boxed on the heap).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NeuronBench {

    @Param({"4"})
    public int steps;

    @Param({"12800", "802816"})
    public int neurons;

    @Param({"BINARY", "REAL"})
    public OutputMode output;

    @Param({"atan"})
    public String surrogate;

    @Param({"false"})
    public boolean polluted;

    private final LifKernel fused = LifKernel.fused();
    private final LifKernel reference = LifKernel.reference();
    private NeuronConfig config;
    private float[] x;
    private float[] out;
    private float[] potentials;
    private float[] gradOut;
    private float[] gradX;

    @Setup
    public void setUp() {
        config = NeuronConfig.lif().withOutput(output).withSurrogate(Surrogate.parse(surrogate));
        int size = steps * neurons;
        var random = new Random(42);
        x = new float[size];
        gradOut = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = -0.5f + 2f * random.nextFloat(); // about a third of the potentials fire
            gradOut[k] = (float) random.nextGaussian();
        }
        out = new float[size];
        potentials = new float[size];
        gradX = new float[size];
        fused.forward(x, steps, neurons, config, out, potentials);
        if (polluted) {
            pollute();
        }
    }

    /**
     * Runs every surrogate, output mode and option through both kernels on a small layer, backward
     * with and without a gradient on the potentials.
     */
    private void pollute() {
        int small = 4096;
        float[] scratch = new float[steps * small];
        for (Surrogate other : List.of(new ATan(), new Sigmoid(), new Triangle(), new Rectangle())) {
            for (OutputMode otherOutput : OutputMode.values()) {
                for (boolean detachReset : new boolean[] {true, false}) {
                    var variant =
                            config.withSurrogate(other).withOutput(otherOutput).withDetachReset(detachReset);
                    for (int round = 0; round < 500; round++) {
                        fused.forward(x, steps, small, variant, out, round % 2 == 0 ? potentials : null);
                        fused.backward(
                                gradOut,
                                round % 3 == 0 ? x : null,
                                potentials,
                                steps,
                                small,
                                variant,
                                scratch,
                                round % 2 == 0);
                    }
                }
            }
        }
        fused.forward(x, steps, neurons, config, out, potentials);
    }

    @Benchmark
    public float[] forward() {
        fused.forward(x, steps, neurons, config, out, potentials);
        return out;
    }

    @Benchmark
    public float[] backward() {
        fused.backward(gradOut, potentials, steps, neurons, config, gradX, false);
        return gradX;
    }

    /** The scalar reference, plain loops one step at a time: the baseline the fused kernel beats. */
    @Benchmark
    public float[] forwardReference() {
        reference.forward(x, steps, neurons, config, out, potentials);
        return out;
    }

    @Benchmark
    public float[] backwardReference() {
        reference.backward(gradOut, potentials, steps, neurons, config, gradX, false);
        return gradX;
    }
}
