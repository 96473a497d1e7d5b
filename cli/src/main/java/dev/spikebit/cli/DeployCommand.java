package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.quant.deploy.DeployedExecutor;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.DeployedModel;
import dev.spikebit.quant.deploy.Reparameterizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code spikebit deploy}: re-parameterizes a trained network into its standard form (methods.md 2:
 * +-1 weights packed 8 per byte, per-channel thresholds, biases and spike scales), writes it, and
 * checks on real test images that the deployed network gives the training network's logits.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Fold a trained checkpoint into the deployed standard form (+-1 weights) and check it.")
public final class DeployCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint written by 'spikebit train'.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The deployed model file (safetensors).")
    Path out;

    @Option(names = "--check", defaultValue = "256",
            description = "Test images on which deployed and training logits are compared (0 = skip). Default: ${DEFAULT-VALUE}")
    int check;

    @Option(names = "--data-dir", description = "Where the dataset files are (for the check).")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        Checkpoint ckpt = Checkpoint.load(checkpoint);
        SpikingClassifier model = Models.build(ckpt.spec(), 0);
        ckpt.restoreModel(model);
        model.eval();
        DeployedModel deployed = Reparameterizer.deploy(model);
        DeployedFormat.save(out, deployed);
        long bytes = Files.size(out);
        System.out.printf("deployed %s to %s: %,d bytes%n", ckpt.spec().model(), out, bytes);
        if (check > 0) {
            Dataset test = DatasetChoice.load("fashion-mnist", dataDir, 1, check).test();
            double error = EquivalenceCheck.maxRelativeError(model, deployed, test, check);
            System.out.printf("equivalence on %d real test images: max |deployed - training| / max |training| = %.2e%n",
                    Math.min(check, test.size()), error);
            if (error > 1e-5) {
                throw new SpikebitException(out + ": the deployed network differs from the training network "
                        + "(relative error " + error + " > 1e-5)");
            }
        }
        return 0;
    }

    /** Compares the training network in eval mode with its deployed form on real images. */
    static final class EquivalenceCheck {
        private EquivalenceCheck() {
        }

        static double maxRelativeError(SpikingClassifier model, DeployedModel deployed, Dataset data, int count) {
            int n = Math.min(count, data.size());
            double maxDiff = 0;
            double maxRef = 0;
            for (int first = 0; first < n; first += 64) {
                int b = Math.min(64, n - first);
                float[] images = Samples.range(data, first, first + b);
                int[] shape = new int[] {b, deployed.inputShape()[0], deployed.inputShape()[1], deployed.inputShape()[2]};
                float[] expected;
                try (var scope = NoGrad.enter()) {
                    expected = model.logits(Tensor.of(images.clone(), shape)).data();
                }
                float[] actual = DeployedExecutor.logits(deployed, images, b);
                for (int i = 0; i < expected.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                    maxRef = Math.max(maxRef, Math.abs(expected[i]));
                }
            }
            return maxRef == 0 ? maxDiff : maxDiff / maxRef;
        }
    }
}
