package dev.spikebit.train.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import java.nio.file.Path;

/**
 * A trained network written in its deployed form (docs/methods.md 2: +-1 weights packed 8 per byte,
 * per-channel thresholds, biases and spike scales; sub-bit layers as codebook indices), the file
 * {@code spikebit deploy} writes and the runtime's {@code Model.load} reads.
 */
public final class Deployment {
    private Deployment() {}

    /**
     * Folds {@code trained} (switched to evaluation mode: batch norms use their running statistics)
     * into the deployed form and writes it to {@code file} atomically.
     */
    public static void write(SpikingClassifier trained, Path file) {
        trained.eval();
        DeployedFormat.save(file, Reparameterizer.deploy(trained));
    }

    /**
     * A deployed model runs its T steps for every image: a T beyond what any model uses
     * ({@link ModelSpec#MAX_TIME_STEPS}) is a damaged file, refused before it turns into an endless
     * run.
     */
    public static void requireTimeSteps(Path file, int timeSteps) {
        if (timeSteps < 1 || timeSteps > ModelSpec.MAX_TIME_STEPS) {
            throw new SpikebitException(
                    file + ": the model runs T = " + timeSteps + " steps, expected 1.." + ModelSpec.MAX_TIME_STEPS);
        }
    }
}
