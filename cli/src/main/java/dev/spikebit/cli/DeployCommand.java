package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.train.DatasetFit;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.deploy.EquivalenceCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikebit deploy}: re-parameterizes a trained network into its standard form (docs/methods.md 2:
 * +-1 weights packed 8 per byte, per-channel thresholds, biases and spike scales), writes it, and
 * checks on real test images that the deployed network gives the training network's logits.
 */
@Command(
        name = "deploy",
        mixinStandardHelpOptions = true,
        description = "Fold a trained checkpoint into the deployed standard form (+-1 weights) and check it.")
public final class DeployCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint written by 'spikebit train'.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The deployed model file (safetensors).")
    Path out;

    @Option(
            names = "--check",
            defaultValue = "256",
            description =
                    "Test images on which deployed and training logits are compared (0 = skip). Default: ${DEFAULT-VALUE}")
    int check;

    @Option(
            names = "--dataset",
            description = "The dataset whose test images the check uses. Default: the one the checkpoint records "
                    + "(spikebit train writes it), else the one the model takes (fashion-mnist for 1x28x28 images, "
                    + "cifar10 or cifar100 for 3x32x32 by the classes).")
    String dataset;

    @Option(names = "--data-dir", description = "Where the dataset files are (for the check).")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        OptionRanges.between("--check", check, 0, InspectCommand.MAX_IMAGES);
        Checkpoint ckpt = Checkpoint.load(checkpoint);
        SpikingClassifier model = QuantModels.fromCheckpoint(ckpt);
        DeployedFormat.save(out, Reparameterizer.deploy(model));
        long bytes = Files.size(out);
        System.out.printf("deployed %s to %s: %,d bytes%n", ckpt.spec().model(), out, bytes);
        if (check > 0) {
            DatasetChoice data = DatasetChoice.load(
                    checkDataset(ckpt),
                    dataDir,
                    1,
                    check,
                    DatasetChoice.Frames.of(ckpt.spec().timeSteps()));
            DatasetFit.requireFits(data, ckpt.spec());
            Dataset test = data.test();
            var result = EquivalenceCheck.run(model, out, test, check);
            if (!result.passed()) {
                throw new SpikebitException(
                        out + ": the deployed network differs from the training network: " + result.describe());
            }
            System.out.println("equivalence on real test images: " + result.describe());
        }
        return 0;
    }

    /**
     * The dataset of the check: {@code --dataset}, else the one the checkpoint records (written by
     * {@code spikebit train}), else the static dataset whose images and classes the model takes.
     */
    private DatasetName checkDataset(Checkpoint ckpt) {
        if (dataset != null) {
            return DatasetName.of(dataset);
        }
        String recorded = ckpt.info(Trainer.DATASET_KEY, null);
        if (recorded != null) {
            return DatasetName.of(recorded);
        }
        ModelSpec spec = ckpt.spec();
        return DatasetName.ofImages(spec.inChannels(), spec.inSize(), spec.numClasses())
                .orElseThrow(() -> new SpikebitException(checkpoint + ": the model takes " + spec.inChannels() + "x"
                        + spec.inSize() + "x" + spec.inSize() + " images of " + spec.numClasses()
                        + " classes, which no static dataset has; pass --dataset NAME for the check, or --check 0 "
                        + "to skip it"));
    }
}
