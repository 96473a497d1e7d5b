package dev.spikebit.bench;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.kernels.CodewordConvKernel;
import dev.spikebit.runtime.kernels.CodewordMaps;
import dev.spikebit.runtime.kernels.FloatKernels;
import dev.spikebit.runtime.kernels.SignConvKernel;
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
 * The sub-bit convolution with codeword reuse (docs/methods.md 3) on fmnist-vgg-s's 64 -> 64 layer
 * (3x3, stride 1, padding 1, 14x14 input, one image and one step), against the same layer as a
 * dense +-1 convolution ({@code CodewordConv.toSignConv()}: the runtime's row-table kernel and the
 * shifted-plane kernel it replaced) and a full-precision convolution of the same shape. The
 * codebook is {@code 2^eta} distinct random patterns, the indices and negations random, the input
 * real-valued spikes at the given density (placed at random); the dense kernels' cost does not
 * depend on the density.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Both kernels run about 1.45x faster when their scratch array starts on a 64-byte cache line
// than when it does not (docs/runtime.md), and where an array lands differs from fork to fork.
// Aligning every object to 64 bytes puts each array's first element the same distance past a line
// in every fork, so that the two kernels, measured in different forks, are compared on equal terms.
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:ObjectAlignmentInBytes=64"})
public class SubBitConvBench {
    private static final int CHANNELS = 64;
    private static final int SIZE = 14;

    @Param({"4"})
    public int eta;

    @Param({"0.2"})
    public double density;

    private Layer.CodewordConv subBit;
    private CodewordMaps maps;
    private Layer.SignConv signs;
    private Layer.Conv floats;
    private float[] input;
    private float[] output;
    private float[] scratch;
    private int[] offsets;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        int codewords = 1 << eta;
        int[] ids = rng.ints(0, 512).distinct().limit(codewords).toArray();
        byte[] indices = new byte[CHANNELS * CHANNELS];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (byte) rng.nextInt(codewords);
        }
        boolean[] negate = new boolean[CHANNELS];
        for (int o = 0; o < CHANNELS; o++) {
            negate[o] = rng.nextBoolean();
        }
        subBit = new Layer.CodewordConv("conv", CHANNELS, CHANNELS, 1, 1, eta, ids, indices, negate);
        signs = subBit.toSignConv();
        maps = CodewordConvKernel.compileMaps(subBit);
        float[] weight = new float[CHANNELS * CHANNELS * 9];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (2 * rng.nextDouble() - 1);
        }
        floats = new Layer.Conv("conv", CHANNELS, CHANNELS, 3, 1, 1, weight, null);
        input = RandomInputs.sparseUniform(rng, CHANNELS * SIZE * SIZE, density);
        output = new float[CHANNELS * SIZE * SIZE];
        scratch = new float
                [Math.max(
                        CodewordConvKernel.scratch(subBit, SIZE, SIZE),
                        Math.max(
                                SignConvKernel.denseScratch(signs, SIZE, SIZE),
                                FloatKernels.convScratch(floats, SIZE, SIZE)))];
        offsets = SignConvKernel.rowTableOffsets(signs, SIZE, SIZE);
    }

    /** Codeword reuse: each input channel convolved once per codeword, each output adding its selected maps. */
    @Benchmark
    public void subBitCodewordReuse(Blackhole bh) {
        CodewordConvKernel.dense(subBit, maps, input, 0, SIZE, SIZE, output, 0, scratch);
        bh.consume(output);
    }

    /** The same layer as +-1 weights, the runtime's dense kernel (row tables: 3 additions per input channel). */
    @Benchmark
    public void signConvDense(Blackhole bh) {
        SignConvKernel.dense(signs, input, 0, SIZE, SIZE, output, 0, scratch, offsets);
        bh.consume(output);
    }

    /** The same layer as +-1 weights, one shifted plane per tap with the sign XOR-ed in (9 additions). */
    @Benchmark
    public void signConvShiftedPlanes(Blackhole bh) {
        SignConvKernel.denseShiftedPlanes(signs, input, 0, SIZE, SIZE, output, 0, scratch);
        bh.consume(output);
    }

    /** Full-precision weights, the same shape: fused multiply-adds. */
    @Benchmark
    public void floatConvReference(Blackhole bh) {
        FloatKernels.conv(floats, input, 0, SIZE, SIZE, output, 0, scratch);
        bh.consume(output);
    }
}
