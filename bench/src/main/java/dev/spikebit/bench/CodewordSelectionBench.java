package dev.spikebit.bench;

import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.subbit.Codebook;
import dev.spikebit.quant.subbit.CodewordSelection;
import dev.spikebit.quant.subbit.KernelStatistics;
import dev.spikebit.quant.subbit.OsQuant;
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

/**
 * What S2NN's codeword selection (docs/methods.md 3) costs at every training step, against the
 * forward convolution of the same layer: a 64 -> 64 3x3 layer with a codebook of {@code 2^eta}
 * patterns, as fmnist-vgg-s's third binary conv sees it in training, {@code [T*B, 64, 14, 14]}
 * with T = 4 and batch 64, the input a spike map (a fifth of the entries 1). The target is
 * selection (with or without OS-Quant) under 20% of the convolution.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CodewordSelectionBench {
    @Param({"6"})
    public int eta;

    @Param({"256"})
    public int images;

    private float[] latent;
    private Codebook codebook;
    private Tensor weight;
    private Tensor input;

    @Setup
    public void setUp() {
        var rng = new SplittableRandom(7);
        latent = new float[64 * 64 * 9];
        for (int i = 0; i < latent.length; i++) {
            latent[i] = (float) (rng.nextGaussian() * 0.05 + (i % 9 == 4 ? 0.02 : 0)); // a little structure
        }
        codebook = KernelStatistics.of(latent).codebook(eta);
        weight = Tensor.of(latent.clone(), 64, 64, 3, 3);
        float[] x = new float[images * 64 * 14 * 14];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(5) == 0 ? 1f : 0f;
        }
        input = Tensor.of(x, images, 64, 14, 14);
    }

    @Benchmark
    public int[] select() {
        return CodewordSelection.select(latent, codebook);
    }

    @Benchmark
    public int[] selectWithOsQuant() {
        return CodewordSelection.select(OsQuant.scale(latent), codebook);
    }

    @Benchmark
    public Tensor forwardConv() {
        try (var scope = NoGrad.enter()) {
            return Conv2dOp.conv2d(input, weight, null, 1, 1);
        }
    }
}
