package dev.spikebit.train.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.Samples;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.RuntimeModelException;
import java.nio.file.Path;

/**
 * The deploy check: the training network in eval mode against the deployed file as the runtime
 * loads and runs it, on real images, under the one rule of {@link Equivalence} (docs/methods.md
 * 2, equivalence and the tie rule): every image agrees to 1e-5 relative except rare threshold
 * ties, which the runtime's reference executor verifies.
 */
public final class EquivalenceCheck {
    /** Images per batch of the comparison. */
    private static final int BATCH = 64;

    private EquivalenceCheck() {}

    /** Compares {@code model} with the deployed file {@code deployed} on the first {@code count} images of {@code data}. */
    public static Equivalence.Result run(SpikingClassifier model, Path deployed, Dataset data, int count) {
        Model runtime;
        try {
            runtime = Model.load(deployed);
        } catch (RuntimeModelException e) {
            throw new SpikebitException(e.getMessage(), e);
        }
        int[] shape = runtime.inputShape();
        int n = Math.min(count, data.size());
        Equivalence.Result result = new Equivalence.Result(0, 0, java.util.List.of(), java.util.List.of());
        for (int first = 0; first < n; first += BATCH) {
            int b = Math.min(BATCH, n - first);
            float[] images = Samples.range(data, first, first + b);
            float[] expected;
            try (var scope = NoGrad.enter()) {
                expected = model.logits(Tensor.of(images.clone(), b, shape[0], shape[1], shape[2]))
                        .data();
            }
            float[] actual = runtime.logits(images, b);
            result = result.then(Equivalence.compare(runtime.graph(), images, b, expected, actual));
        }
        return result;
    }
}
