package dev.spikebit.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.loader.Batch;
import org.junit.jupiter.api.Test;

/** Loader batches become model input: static images as they are, event frames time-major. */
class ModelInputTest {

    @Test
    void staticImagesAreWrappedWithoutACopy() {
        float[] x = new float[2 * 3 * 4 * 4];
        Tensor t = ModelInput.of(new Batch(x, new int[] {2, 3, 4, 4}, new int[] {0, 1}));
        assertThat(t.shape()).containsExactly(2, 3, 4, 4);
        assertThat(t.data()).isSameAs(x);
    }

    /** Element (b, t, c, h, w) of the batch is element (t, b, c, h, w) of the input. */
    @Test
    void eventFramesAreSwappedToTimeMajor() {
        int batch = 3;
        int steps = 4;
        int c = 2;
        int h = 3;
        int w = 5;
        float[] x = new float[batch * steps * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Tensor t = ModelInput.of(new Batch(x, new int[] {batch, steps, c, h, w}, new int[batch]));
        assertThat(t.shape()).containsExactly(steps, batch, c, h, w);
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < steps; s++) {
                for (int k = 0; k < c * h * w; k++) {
                    float expected = x[(b * steps + s) * c * h * w + k];
                    assertThat(t.data()[(s * batch + b) * c * h * w + k]).isEqualTo(expected);
                }
            }
        }
    }
}
