package dev.spikebit.bench;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.SignMatrix;
import dev.spikebit.runtime.kernels.FloatKernels;
import dev.spikebit.runtime.kernels.SignConvEvents;
import dev.spikebit.runtime.kernels.SignConvKernel;
import dev.spikebit.runtime.kernels.SignLinearKernel;
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
 * The runtime's +-1 kernels on the shapes of the deployed fmnist-cnn, one image and one step, each
 * against a full-precision kernel of the same shape (float weights, the same loop structure with a
 * multiply-add): the sign convolution 32 -> 64 channels, 3x3, padding 1 on 14x14, and the sign
 * fully connected layer 3136 -> 128, dense and event-driven, at input densities 10%, 30% and 60%
 * (non-zero values placed at random, as spikes are). The event-driven benchmarks include listing
 * the non-zero inputs, which the runtime does at every step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RuntimeKernelBench {
    @Param({"0.1", "0.3", "0.6"})
    public double density;

    private Layer.SignConv signConv;
    private Layer.Conv floatConv;
    private Layer.SignLinear signLinear;
    private Layer.Linear floatLinear;
    private float[] convInput;
    private float[] convOutput;
    private float[] linearInput;
    private float[] linearOutput;
    private float[] scratch;
    private int[] events;
    private int[] offsets;
    private int[] flips;
    private int[] ints;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        signConv = new Layer.SignConv("conv", 32, 64, 3, 1, 1, SignMatrix.ofRows(64, 288, bits(rng, 64, 288)));
        floatConv = new Layer.Conv("conv", 32, 64, 3, 1, 1, RandomInputs.sparseUniform(rng, 64 * 288, 1f), null);
        signLinear = new Layer.SignLinear("fc", 3136, 128, SignMatrix.ofRows(128, 3136, bits(rng, 128, 3136)));
        floatLinear = new Layer.Linear("fc", 3136, 128, RandomInputs.sparseUniform(rng, 128 * 3136, 1f), null);
        convInput = RandomInputs.sparseUniform(rng, 32 * 14 * 14, density);
        linearInput = RandomInputs.sparseUniform(rng, 3136, density);
        convOutput = new float[64 * 14 * 14];
        linearOutput = new float[128];
        scratch = new float
                [Math.max(
                        Math.max(
                                SignConvKernel.denseScratch(signConv, 14, 14),
                                SignConvEvents.floatScratch(signConv, 14, 14)),
                        FloatKernels.convScratch(floatConv, 14, 14))];
        events = new int[3136 * 2];
        offsets = SignConvKernel.rowTableOffsets(signConv, 14, 14);
        flips = SignConvEvents.flips(signConv);
        ints = new int[SignConvEvents.intScratch(signConv, 14, 14)];
    }

    private static byte[] bits(SplittableRandom rng, int rows, int length) {
        int rowBytes = (length + 7) / 8;
        byte[] b = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < length; j++) {
                if (rng.nextBoolean()) {
                    b[r * rowBytes + j / 8] |= (byte) (1 << (j % 8));
                }
            }
        }
        return b;
    }

    private int list(float[] x) {
        int n = 0;
        for (int j = 0; j < x.length; j++) {
            boolean nz = x[j] != 0f;
            events[n] = j;
            n += nz ? 1 : 0;
        }
        return n;
    }

    @Benchmark
    public void signConvDense(Blackhole bh) {
        SignConvKernel.dense(signConv, convInput, 0, 14, 14, convOutput, 0, scratch, offsets);
        bh.consume(convOutput);
    }

    /** The dense kernel without row tables (each tap a shifted plane, sign by XOR): what row tables replace. */
    @Benchmark
    public void signConvShiftedPlanes(Blackhole bh) {
        SignConvKernel.denseShiftedPlanes(signConv, convInput, 0, 14, 14, convOutput, 0, scratch);
        bh.consume(convOutput);
    }

    @Benchmark
    public void signConvEvents(Blackhole bh) {
        SignConvEvents.run(signConv, flips, convInput, 0, 14, 14, convOutput, 0, scratch, ints);
        bh.consume(convOutput);
    }

    @Benchmark
    public void floatConvReference(Blackhole bh) {
        FloatKernels.conv(floatConv, convInput, 0, 14, 14, convOutput, 0, scratch);
        bh.consume(convOutput);
    }

    @Benchmark
    public void signLinearDense(Blackhole bh) {
        SignLinearKernel.dense(signLinear, linearInput, 0, linearOutput, 0);
        bh.consume(linearOutput);
    }

    @Benchmark
    public void signLinearEvents(Blackhole bh) {
        SignLinearKernel.events(signLinear, linearInput, 0, events, list(linearInput), linearOutput, 0, scratch);
        bh.consume(linearOutput);
    }

    @Benchmark
    public void floatLinearReference(Blackhole bh) {
        FloatKernels.linear(floatLinear, linearInput, 0, linearOutput, 0);
        bh.consume(linearOutput);
    }
}
