package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedExecutor;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.DeployedModel;
import dev.spikebit.quant.deploy.Reparameterizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            description = "The dataset whose test images the check uses. Default: the one the checkpoint's model "
                    + "takes (fashion-mnist for 1x28x28 images, cifar10 or cifar100 for 3x32x32 by the classes).")
    String dataset;

    @Option(names = "--data-dir", description = "Where the dataset files are (for the check).")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        OptionRanges.between("--check", check, 0, InspectCommand.MAX_IMAGES);
        Checkpoint ckpt = Checkpoint.load(checkpoint);
        SpikingClassifier model = QuantModels.fromCheckpoint(ckpt);
        DeployedModel deployed = Reparameterizer.deploy(model);
        DeployedFormat.save(out, deployed);
        long bytes = Files.size(out);
        System.out.printf("deployed %s to %s: %,d bytes%n", ckpt.spec().model(), out, bytes);
        if (check > 0) {
            DatasetChoice data = DatasetChoice.load(checkDataset(ckpt.spec()), dataDir, 1, check);
            data.requireFits(ckpt.spec());
            Dataset test = data.test();
            var result = EquivalenceCheck.run(model, deployed, test, check);
            System.out.println("equivalence: " + result.summary());
            if (!result.passed()) {
                throw new SpikebitException(
                        out + ": the deployed network differs from the training network: " + result.failure());
            }
        }
        return 0;
    }

    /**
     * The dataset of the check: {@code --dataset}, else the static dataset whose images and classes
     * the model takes (the checkpoint does not name the dataset it was trained on).
     */
    private String checkDataset(ModelSpec spec) {
        if (dataset != null) {
            return dataset;
        }
        int classes = spec.numClasses();
        if (spec.inChannels() == 1 && spec.inSize() == 28 && classes == 10) {
            return "fashion-mnist";
        }
        if (spec.inChannels() == 3 && spec.inSize() == 32 && (classes == 10 || classes == 100)) {
            return classes == 10 ? "cifar10" : "cifar100";
        }
        throw new SpikebitException(checkpoint + ": the model takes " + spec.inChannels() + "x" + spec.inSize() + "x"
                + spec.inSize() + " images of " + classes + " classes, which no static dataset has; pass --dataset "
                + "NAME for the check, or --check 0 to skip it");
    }

    /**
     * Compares the training network in eval mode with its deployed form on real images, image by
     * image: an image agrees when its logits match to relative error 1e-5. A disagreeing image is
     * excused as a threshold tie ({@link ThresholdTies}) only while such images stay rare (at most
     * two, or 1% of the images): a neuron near its threshold can be found in most images, so the
     * tie test alone would excuse a network that computes something else on all of them.
     */
    static final class EquivalenceCheck {
        /** Relative error 1e-5 (docs/methods.md 2). */
        static final double TOLERANCE = 1e-5;
        /** A potential this close to its threshold (relative) is within the rounding of the two computations. */
        static final double TIE_MARGIN = 1e-4;

        /**
         * @param images             images compared
         * @param maxErrorOfAgreeing the largest relative error among the agreeing images
         * @param ties               test-set indices of images that differ by a threshold tie
         * @param real               test-set indices of images that differ without one
         */
        record Result(int images, double maxErrorOfAgreeing, List<Integer> ties, List<Integer> real) {
            /** Threshold ties excused: two, or 1% of the images. */
            int tiesAllowed() {
                return Math.max(2, images / 100);
            }

            boolean passed() {
                return real.isEmpty() && ties.size() <= tiesAllowed();
            }

            /** Why the check failed, for the error message. */
            String failure() {
                return real.isEmpty()
                        ? String.format(
                                "%d of %d test images differ (relative error above %s), each with a neuron near "
                                        + "its threshold, but more than %d such ties means the networks compute different "
                                        + "things: images %s",
                                ties.size(), images, TOLERANCE, tiesAllowed(), ties)
                        : String.format(
                                "%d of %d test images differ (relative error above %s) with no neuron at its "
                                        + "threshold: images %s",
                                real.size(), images, TOLERANCE, real);
            }

            String summary() {
                return String.format(
                        "relative error %.1e on %d real test images%s",
                        maxErrorOfAgreeing,
                        images,
                        ties.isEmpty()
                                ? ""
                                : String.format(
                                        " (%d differ by a threshold tie: images %s; a potential "
                                                + "within rounding of its threshold fires in one computation and not the other)",
                                        ties.size(), ties));
            }
        }

        private EquivalenceCheck() {}

        static Result run(SpikingClassifier model, DeployedModel deployed, Dataset data, int count) {
            int n = Math.min(count, data.size());
            double agreeing = 0;
            List<Integer> ties = new ArrayList<>();
            List<Integer> real = new ArrayList<>();
            for (int first = 0; first < n; first += 64) {
                int b = Math.min(64, n - first);
                float[] images = Samples.range(data, first, first + b);
                int[] shape =
                        new int[] {b, deployed.inputShape()[0], deployed.inputShape()[1], deployed.inputShape()[2]};
                float[] expected;
                try (var scope = NoGrad.enter()) {
                    expected = model.logits(Tensor.of(images.clone(), shape)).data();
                }
                float[] actual = DeployedExecutor.logits(deployed, images, b);
                var c = ThresholdTies.compare(expected, actual, b, TOLERANCE, deployed, images, TIE_MARGIN);
                agreeing = Math.max(agreeing, c.maxErrorOfAgreeing());
                int offset = first;
                c.ties().forEach(i -> ties.add(offset + i));
                c.real().forEach(i -> real.add(offset + i));
            }
            return new Result(n, agreeing, ties, real);
        }
    }
}
