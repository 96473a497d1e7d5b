package dev.spikebit.bench;

import dev.spikebit.core.kernels.gemm.Gemm;
import dev.spikebit.core.kernels.gemm.Gemms;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * SGEMM of each backend on a square case and on the three products of a convolution's training
 * step. The secondary result {@code gflops} is the speed in GFLOP/s ({@code 2 m n k} per call);
 * the primary is calls per second.
 *
 * <p>Shapes are {@code m x n x k} and the transposes of {@code op(A)} and {@code op(B)} (N or T).
 * The convolution is 32 -> 64 channels, 3x3, on 14x14 with {@code T * B = 256} images, as im2col
 * lays it out: {@code patch = 32 * 9 = 288}, {@code columns = 256 * 14 * 14 = 50176}.
 * <ul>
 *   <li>{@code 64x50176x288:NN} forward, {@code W [64 x 288] * col [288 x 50176]};</li>
 *   <li>{@code 64x288x50176:NT} weight gradient, {@code dY [64 x 50176] * col^T};</li>
 *   <li>{@code 288x50176x64:TN} input gradient, {@code W^T * dY}.</li>
 * </ul>
 *
 * <p>Run with {@code bench/run GemmBench}; {@code bench/run GemmBench -p shape=1024x1024x1024:NN}
 * for one shape.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx4g",
            "-XX:+UseParallelGC"
        })
public class GemmBench {

    @Param({"blas", "java"})
    public String backend;

    @Param({"1024x1024x1024:NN", "64x50176x288:NN", "64x288x50176:NT", "288x50176x64:TN"})
    public String shape;

    private Gemm gemm;
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    /** Counts the work done, so JMH reports it per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        /** Billions of floating-point operations. */
        public double gflops;

        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }
    }

    @Setup
    public void setUp() {
        String[] sizesAndOps = shape.split(":");
        String[] sizes = sizesAndOps[0].split("x");
        m = Integer.parseInt(sizes[0]);
        n = Integer.parseInt(sizes[1]);
        k = Integer.parseInt(sizes[2]);
        transA = sizesAndOps[1].charAt(0) == 'T';
        transB = sizesAndOps[1].charAt(1) == 'T';
        gemm = Gemms.of(backend);
        var random = new SplittableRandom(42);
        a = random(random, m * k);
        b = random(random, k * n);
        c = new float[m * n];
    }

    private static float[] random(SplittableRandom random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    @Benchmark
    public float[] sgemm(Work work) {
        gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
        work.gflops += 2e-9 * m * n * k;
        return c;
    }
}
