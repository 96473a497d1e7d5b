package dev.spikebit.core.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The profiler splits a convolution's forward and backward into its own kinds, exclusive of one
 * another (nested GEMM and im2col time is not counted twice), and records nothing when off or on
 * another thread.
 */
class OpProfilerTest {
    @Test
    void convolutionTimeIsSplitIntoExclusiveKindsAndPhases() {
        var rng = new SplittableRandom(1);
        Tensor x = random(rng, 8, 16, 20, 20);
        Tensor w = random(rng, 32, 16, 3, 3);
        OpProfiler.start();
        long start = System.nanoTime();
        Tensor y = Conv2dOp.conv2d(x, w, null, 1, 1);
        Elementwise.sum(y).backward();
        long wall = System.nanoTime() - start;
        long[][] nanos = OpProfiler.stop();

        // Dense input: im2col + GEMM forward, tile by tile; backward (3x3, stride 1, 16 -> 32),
        // both the weight gradient and the input gradient by Winograd, in one pass.
        for (OpKind kind : new OpKind[] {OpKind.CONV, OpKind.CONV_TILES}) {
            assertThat(nanos[kind.ordinal()][OpProfiler.FORWARD])
                    .as("%s forward", kind)
                    .isPositive();
        }
        for (OpKind kind : new OpKind[] {OpKind.CONV, OpKind.WINOGRAD_BOTH}) {
            assertThat(nanos[kind.ordinal()][OpProfiler.BACKWARD])
                    .as("%s backward", kind)
                    .isPositive();
        }
        for (OpKind kind : new OpKind[] {OpKind.WINOGRAD, OpKind.WINOGRAD_WEIGHTS}) {
            assertThat(nanos[kind.ordinal()][OpProfiler.BACKWARD])
                    .as("%s backward (done in the one pass)", kind)
                    .isZero();
        }
        long total = 0;
        for (long[] phases : nanos) {
            total += phases[0] + phases[1];
        }
        assertThat(total).isLessThanOrEqualTo(wall);
        assertThat(nanos[OpKind.POOLING.ordinal()][0] + nanos[OpKind.POOLING.ordinal()][1])
                .isZero();
    }

    @Test
    void recordsNothingWhenOffOrOnAnotherThread() throws InterruptedException {
        var rng = new SplittableRandom(2);
        Tensor x = random(rng, 2, 4, 8, 8);
        Tensor w = random(rng, 4, 4, 3, 3);
        assertThat(OpProfiler.recording()).isFalse();
        Conv2dOp.conv2d(x, w, null, 1, 1);

        OpProfiler.start();
        Thread other = new Thread(() -> Conv2dOp.conv2d(x, w, null, 1, 1));
        other.start();
        other.join();
        long[][] nanos = OpProfiler.stop();
        for (long[] phases : nanos) {
            assertThat(phases[0] + phases[1]).isZero();
        }
    }

    private static Tensor random(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return t.requiresGrad(true);
    }
}
