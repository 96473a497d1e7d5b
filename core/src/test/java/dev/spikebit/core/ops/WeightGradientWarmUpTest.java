package dev.spikebit.core.ops;

import static dev.spikebit.core.ops.WeightGradientPath.EVENTS;
import static dev.spikebit.core.ops.WeightGradientPath.WINOGRAD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up of the weight-gradient path not taken: what it claims, and that running it
 * beside a layer's training changes none of the layer's bits (it shares no scratch array and no
 * pool thread with it). Geometries here are used by no other test, since claims last for the JVM.
 */
class WeightGradientWarmUpTest {
    @Test
    void claimsThePathBeyondANearLimitOncePerGeometry() {
        var geo = new ConvGeometry(32, 13, 13, 3, 3, 1, 1);
        long size = 100_000;
        // Far below the limit: nothing to warm.
        assertThat(WeightGradientWarmUp.claim(geo, 48, EVENTS, 10_000, size)).isEmpty();
        // Within reach of 0.3 from below: Winograd, once.
        assertThat(WeightGradientWarmUp.claim(geo, 48, EVENTS, 25_000, size)).containsExactly(WINOGRAD);
        assertThat(WeightGradientWarmUp.claim(geo, 48, EVENTS, 29_000, size)).isEmpty();
        // From above, the event-driven sum; GEMM, beyond the event-driven sum's limit, is never warmed.
        assertThat(WeightGradientWarmUp.claim(geo, 48, WINOGRAD, 31_000, size)).containsExactly(EVENTS);
        var stem = new ConvGeometry(1, 27, 27, 3, 3, 1, 1);
        assertThat(WeightGradientWarmUp.claim(stem, 16, WeightGradientPath.GEMM, 40_000, size))
                .containsExactly(EVENTS);
        assertThat(WeightGradientWarmUp.claim(stem, 24, WeightGradientPath.GEMM, 60_000, size))
                .isEmpty();
    }

    @Test
    void isOffWithTheProperty() {
        var geo = new ConvGeometry(32, 11, 11, 3, 3, 1, 1);
        String old = System.getProperty(WeightGradientWarmUp.PROPERTY);
        System.setProperty(WeightGradientWarmUp.PROPERTY, "false");
        try {
            assertThat(WeightGradientWarmUp.claim(geo, 48, EVENTS, 29_000, 100_000))
                    .isEmpty();
        } finally {
            if (old == null) {
                System.clearProperty(WeightGradientWarmUp.PROPERTY);
            } else {
                System.setProperty(WeightGradientWarmUp.PROPERTY, old);
            }
        }
        assertThat(WeightGradientWarmUp.claim(geo, 48, EVENTS, 29_000, 100_000)).containsExactly(WINOGRAD);
    }

    /**
     * Steps of a layer on both paths (its input density in and out of the band) while warm-ups of
     * both paths on the same geometry run on another thread without pause: every gradient is
     * bitwise the one computed with nothing beside it.
     */
    @Test
    void aWarmUpBesideTrainingChangesNoBits() throws Exception {
        var geo = new ConvGeometry(32, 12, 12, 3, 3, 1, 1);
        int batch = 8;
        var rng = new SplittableRandom(11);
        double[] densities = {0.28, 0.33, 0.38, 0.31, 0.24};
        float[][] inputs = new float[densities.length][];
        for (int i = 0; i < densities.length; i++) {
            inputs[i] = WeightGradientPathTest.spikes(rng, batch * 32 * 12 * 12, densities[i]);
        }
        float[] g = WinogradConvTest.uniform(rng, batch * 48 * 12 * 12, 1);

        float[][] alone = steps(inputs, g, batch);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger warmUps = new AtomicInteger();
        Thread beside = new Thread(() -> {
            while (!stop.get()) {
                WeightGradientWarmUp.warm(geo, 48, List.of(EVENTS, WINOGRAD), 0.3, 1);
                warmUps.incrementAndGet();
            }
        });
        beside.start();
        try {
            for (int repeat = 0; repeat < 2; repeat++) {
                float[][] withWarmUp = steps(inputs, g, batch);
                for (int i = 0; i < inputs.length; i++) {
                    assertThat(withWarmUp[i]).as("step %d", i).isEqualTo(alone[i]);
                }
            }
        } finally {
            stop.set(true);
            beside.join();
        }
        assertThat(warmUps.get()).isPositive();
    }

    /** A fresh layer (seed fixed) through a step per input: its weight and input gradients after each. */
    private static float[][] steps(float[][] inputs, float[] g, int batch) {
        var layer = new Conv2d(32, 48, 3, 1, 1, true, new SplittableRandom(5));
        layer.train(true);
        float[][] out = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            layer.zeroGrad();
            Tensor x = Tensor.of(inputs[i].clone(), batch, 32, 12, 12).requiresGrad(true);
            Tensor y = layer.forward(x);
            y.backward(g);
            float[] gw = layer.weight().grad();
            float[] gb = layer.bias().grad();
            float[] gx = x.grad();
            float[] all = new float[gw.length + gb.length + gx.length];
            System.arraycopy(gw, 0, all, 0, gw.length);
            System.arraycopy(gb, 0, all, gw.length, gb.length);
            System.arraycopy(gx, 0, all, gw.length + gb.length, gx.length);
            out[i] = all;
        }
        return out;
    }
}
