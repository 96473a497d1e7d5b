package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.graph.SignMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up of the dense kernels: once per kernel shape and JVM, on a daemon thread that ends. */
class KernelWarmUpTest {
    @Test
    void eachShapeIsClaimedOnceAndItsWarmUpRuns() {
        // Shapes no other test uses, so that this JVM has not claimed them yet.
        Layer.SignConv strided = new Layer.SignConv("c", 2, 3, 5, 3, 2, signs(3, 2 * 25));
        Layer.SignConv sameShape = new Layer.SignConv("d", 7, 1, 5, 3, 2, signs(1, 7 * 25));
        Layer.SignConv shifted = new Layer.SignConv("e", 2, 3, 2, 1, 0, signs(3, 2 * 4));
        Layer.SignConv rowTables = new Layer.SignConv("f", 2, 3, 3, 1, 0, signs(3, 2 * 9));
        Runnable work = KernelWarmUp.claim(List.of(strided, sameShape, shifted, rowTables));
        assertThat(work).isNotNull();
        assertThat(KernelWarmUp.claim(List.of(sameShape, shifted, rowTables)))
                .as("the same shapes again")
                .isNull();
        work.run(); // on this thread, so that a failure shows here
    }

    @Test
    void theWarmUpThreadIsADaemonAndEnds() throws InterruptedException {
        Layer.SignConv conv = new Layer.SignConv("c", 2, 3, 4, 2, 1, signs(3, 2 * 16));
        Thread thread = KernelWarmUp.start(List.of(conv));
        assertThat(thread).isNotNull();
        assertThat(thread.isDaemon()).isTrue();
        thread.join(120_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(KernelWarmUp.start(List.of(conv))).isNull();
    }

    private static SignMatrix signs(int rows, int rowLength) {
        byte[] bits = new byte[rows * PackedSigns.rowBytes(rowLength)];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (i * 37 + 11);
        }
        return SignMatrix.ofRows(rows, rowLength, bits);
    }
}
