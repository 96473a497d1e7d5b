package dev.spikebit.train;

import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.loader.Batch;

/**
 * Turns a loader batch into the tensor a {@link dev.spikebit.core.models.SpikingClassifier} takes
 * (docs/methods.md 1). Static images {@code [B, C, H, W]} are wrapped as they are (direct encoding
 * repeats them inside the model). Event frames arrive sample-major, {@code [B, T, C, H, W]}, because
 * each sample carries its T frames; the model is time-major, {@code [T, B, C, H, W]}, so the first
 * two axes are swapped (one copy of the batch).
 */
public final class ModelInput {
    private ModelInput() {}

    /** The batch as model input: {@code [B, C, H, W]} unchanged, {@code [B, T, ...]} as {@code [T, B, ...]}. */
    public static Tensor of(Batch batch) {
        int[] shape = batch.shape();
        if (shape.length != 5) {
            return Tensor.of(batch.x(), shape);
        }
        int samples = shape[0];
        int steps = shape[1];
        int frame = shape[2] * shape[3] * shape[4];
        float[] in = batch.x();
        float[] out = new float[in.length];
        for (int b = 0; b < samples; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(in, (b * steps + t) * frame, out, (t * samples + b) * frame, frame);
            }
        }
        return Tensor.of(out, steps, samples, shape[2], shape[3], shape[4]);
    }
}
