package dev.spikebit.bench;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.SignMatrix;
import dev.spikebit.runtime.kernels.InputCensus;
import dev.spikebit.runtime.kernels.SignConvEvents;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The event-driven sign convolution of the deployed fmnist-cnn (32 -> 64 channels, 3x3, padding 1,
 * 14x14) over the four steps of one image, whose inputs repeat with a period of two steps as
 * neurons under a constant drive make them: steps 0 and 1 drawn at {@code density}, steps 2 and 3
 * equal to steps 0 and 1 except a fraction {@code changed} of their values, redrawn. Each step from
 * its own input ({@code everyStepFromItsInput}), against steps 2 and 3 started from the sums of
 * the step two back plus the event sums of the difference ({@code laterStepsFromTheChange}, as the
 * runtime's executor does; the difference, the copy of the sums and the listing included).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SignConvStepsBench {
    private static final int H = 14;
    private static final int W = 14;
    private static final int IN = 32;
    private static final int OUT = 64;

    @Param({"0.25"})
    public double density;

    @Param({"0.05", "0.15"})
    public double changed;

    private Layer.SignConv conv;
    private int[] flips;
    private float[][] steps;
    private float[][] sums;
    private float[] change;
    private float[] floats;
    private int[] ints;
    private int sumsFloats;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(3);
        byte[] bits = new byte[OUT * ((IN * 9 + 7) / 8)];
        rng.nextBytes(bits);
        conv = new Layer.SignConv("conv", IN, OUT, 3, 1, 1, SignMatrix.ofRows(OUT, IN * 9, bits));
        flips = SignConvEvents.flips(conv);
        int size = IN * H * W;
        steps = new float[4][];
        steps[0] = RandomInputs.sparseUniform(rng, size, density);
        steps[1] = RandomInputs.sparseUniform(rng, size, density);
        for (int t = 2; t < 4; t++) {
            steps[t] = steps[t - 2].clone();
            for (int i = 0; i < size; i++) {
                if (rng.nextDouble() < changed) {
                    steps[t][i] = rng.nextDouble() < density ? (float) (1 - rng.nextDouble()) : 0f;
                }
            }
        }
        sumsFloats = H * W * SignConvEvents.pitch(OUT);
        sums = new float[4][sumsFloats];
        change = new float[size];
        floats = new float[SignConvEvents.floatScratch(conv, H, W)];
        ints = new int[SignConvEvents.intScratch(conv, H, W)];
    }

    @Benchmark
    public void everyStepFromItsInput(Blackhole bh) {
        for (int t = 0; t < 4; t++) {
            SignConvEvents.runPixels(conv, flips, steps[t], 0, H, W, sums[t], 0, floats, ints);
        }
        bh.consume(sums);
    }

    @Benchmark
    public void laterStepsFromTheChange(Blackhole bh) {
        int size = IN * H * W;
        for (int t = 0; t < 4; t++) {
            if (t < 2) {
                SignConvEvents.runPixels(conv, flips, steps[t], 0, H, W, sums[t], 0, floats, ints);
            } else {
                bh.consume(InputCensus.differences(steps[t], steps[t - 2], size));
                InputCensus.subtract(steps[t], steps[t - 2], size, change);
                System.arraycopy(sums[t - 2], 0, sums[t], 0, sumsFloats);
                SignConvEvents.addPixels(conv, flips, change, 0, H, W, sums[t], 0, floats, ints);
            }
        }
        bh.consume(sums);
    }
}
