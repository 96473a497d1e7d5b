package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.LayerStats;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.kernels.CodewordConvKernel;
import dev.spikebit.train.TrainingListener;
import dev.spikebit.train.subbit.Compression;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sub-bit {@code fmnist-vgg-s} (eta 4, OS-Quant) made the way
 * {@code spikebit compress} makes it (a binary network trained briefly on real Fashion-MNIST, then
 * {@link Compression#fromBinary} and {@link Compression#fineTune}), deployed as {@code deployed-2},
 * gives in the runtime the training network's eval-mode logits and the reference executor's
 * ({@code ReferenceExecutor}, which runs each {@code codeword_conv} as its sign convolution) to a
 * relative error {@code max|a - b| / max|a| <= 1e-5} on 128 real test images, on every path; the
 * per-layer adds, multiplies and firing rates equal the quant module's {@code ModelReport} of the
 * same images measured one image at a time (docs/s2nn.md 7 counts a {@code codeword_conv} per
 * step as the cheaper of the direct and the codeword-reuse count). Checked on the network as
 * fine-tuned and again with a quarter of its batch-norm scales negated, so that the deployed
 * negation bits of docs/s2nn.md 6 are set.
 */
class SubBitRuntimeEquivalenceTest {
    private static final int TRAIN_IMAGES = 256;
    private static final int FINE_TUNE_IMAGES = 64;
    private static final int TEST_IMAGES = 128;

    @TempDir
    Path dir;

    @Test
    void runtimeGivesTheSubBitTrainingNetworksLogits() {
        FashionMnistData data = RuntimeFixtures.fashionMnist();
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-vgg-s").withWeights(WeightKind.BINARY);
        SpikingClassifier binary = QuantModels.build(spec, 13);
        RuntimeFixtures.train(binary, data.train(), TRAIN_IMAGES, 16);
        Path binaryFile = dir.resolve("binary.safetensors");
        Checkpoint.save(binaryFile, spec, binary, null, Map.of());

        SpikingClassifier subBit = Compression.fromBinary(Checkpoint.load(binaryFile), 4, true, 0);
        ArrayDataset fineTune = data.train().head(TRAIN_IMAGES + FINE_TUNE_IMAGES);
        Compression.fineTune(
                subBit,
                null,
                new Compression.Settings(1, 16, 1e-3f, 5, 0f),
                tail(fineTune, TRAIN_IMAGES),
                data.test().head(16),
                dir.resolve("compress"),
                silent(),
                TrainingListener.NONE);
        subBit.eval();
        float[] images = RuntimeFixtures.images(data.test(), 0, TEST_IMAGES);
        checkDeployed(subBit, images, "as fine-tuned");
        negateSomeBatchNormScales(subBit, new SplittableRandom(3));
        checkDeployed(subBit, images, "a quarter of the batch-norm scales negated");
    }

    private void checkDeployed(SpikingClassifier subBit, float[] images, String variant) {
        Path file = dir.resolve("fmnist-vgg-s-subbit.safetensors");
        DeployedFormat.save(file, Reparameterizer.deploy(subBit));
        Model model = Model.load(file);
        var subBitLayers = model.layers().stream()
                .filter(l -> l instanceof Layer.CodewordConv)
                .map(Layer.CodewordConv.class::cast)
                .toList();
        assertThat(subBitLayers).hasSize(3);
        int negated = 0;
        for (Layer.CodewordConv c : subBitLayers) {
            for (boolean b : c.negate()) {
                negated += b ? 1 : 0;
            }
        }

        float[] training = RuntimeFixtures.trainingLogits(subBit, images, TEST_IMAGES, model.inputShape());
        RuntimeFixtures.assertEquivalent(
                "fmnist-vgg-s sub-bit eta 4, " + variant + " (" + negated + " negated output channels)",
                model,
                training,
                images,
                TEST_IMAGES);
        printKernelAdditions(model, model.infer(images, TEST_IMAGES, ExecutionPath.AUTO));
        System.out.printf("file %d bytes, information %d bytes%n", model.fileBytes(), model.informationBytes());
    }

    /** Flips the sign of the scale of about a quarter of every batch norm's channels. */
    private static void negateSomeBatchNormScales(SpikingClassifier model, SplittableRandom rng) {
        model.visit(m -> {
            if (m instanceof BatchNorm bn) {
                float[] gamma = bn.gamma().data();
                for (int c = 0; c < gamma.length; c++) {
                    if (rng.nextDouble() < 0.25) {
                        gamma[c] = -gamma[c];
                    }
                }
            }
        });
    }

    /** What each sub-bit layer is counted for against what the codeword-reuse kernel adds. */
    private static void printKernelAdditions(Model model, Inference run) {
        for (int i = 0; i < model.layers().size(); i++) {
            if (model.layers().get(i) instanceof Layer.CodewordConv c) {
                int[] in = i == 0 ? model.inputShape() : model.outputShapes().get(i - 1);
                long kernel = CodewordConvKernel.additions(c, in[1], in[2]) * model.timeSteps();
                long direct = 9L
                        * c.outChannels()
                        * c.inChannels()
                        * model.outputShapes().get(i)[1]
                        * model.outputShapes().get(i)[2]
                        * model.timeSteps();
                LayerStats stats = run.layers().stream()
                        .filter(l -> l.name().equals(c.name()))
                        .findFirst()
                        .orElseThrow();
                System.out.printf(
                        "%s %d -> %d, %dx%d: counted adds %.0f per image (input density %.3f); the "
                                + "codeword-reuse kernel adds %d (dense sign conv: %d)%n",
                        c.name(),
                        c.inChannels(),
                        c.outChannels(),
                        in[1],
                        in[2],
                        stats.adds(),
                        stats.inputDensity(),
                        kernel,
                        direct);
            }
        }
    }

    private static ArrayDataset tail(ArrayDataset set, int from) {
        int per = set.samples().length / set.size();
        return new ArrayDataset(
                set.name(),
                java.util.Arrays.copyOfRange(set.samples(), from * per, set.size() * per),
                java.util.Arrays.copyOfRange(set.labels(), from, set.size()),
                set.sampleShape(),
                set.numClasses());
    }

    private static PrintStream silent() {
        return new PrintStream(OutputStream.nullOutputStream());
    }
}
