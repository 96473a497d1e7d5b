package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.RealData;
import dev.spikebit.data.Samples;
import dev.spikebit.data.mnist.FashionMnist;
import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.LayerStats;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Trained and deployed networks on real Fashion-MNIST for the runtime's tests: a short Adam run
 * (lr 1e-3) so that batch-norm statistics, amplitudes and firing are those of training, then the
 * re-parameterized standard form written with {@link DeployedFormat}. Cached per configuration
 * for the test run.
 */
final class RuntimeFixtures {
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static FashionMnistData data;
    private static final Map<String, SpikingClassifier> MODELS = new HashMap<>();

    /** A trained network and its deployed file. */
    record Deployed(SpikingClassifier network, Path file) {}

    private RuntimeFixtures() {}

    static synchronized FashionMnistData fashionMnist() {
        RealData.requireFashionMnist();
        if (data == null) {
            data = FashionMnist.load((Path) null);
        }
        return data;
    }

    /** {@code model} with the given spikes and binary weights, trained on {@code images} images, deployed to {@code dir}. */
    static synchronized Deployed deployed(String model, String spikes, int images, Path dir) {
        FashionMnistData d = fashionMnist();
        String key = model + "/" + spikes + "/" + images;
        SpikingClassifier network = MODELS.get(key);
        if (network == null) {
            ModelSpec spec = ModelZoo.defaultSpec(model)
                    .withSpikes(SpikeKind.of(spikes, "spikes"))
                    .withWeights(WeightKind.BINARY);
            network = QuantModels.build(spec, 7);
            train(network, d.train(), images, 16);
            MODELS.put(key, network);
        }
        Path file = dir.resolve(model + "-" + spikes + ".safetensors");
        DeployedFormat.save(file, Reparameterizer.deploy(network));
        return new Deployed(network, file);
    }

    static float[] images(ArrayDataset set, int from, int count) {
        return Samples.range(set, from, from + count);
    }

    /** The training network's class scores in evaluation mode. */
    static float[] trainingLogits(SpikingClassifier network, float[] images, int batch, int[] shape) {
        try (var scope = NoGrad.enter()) {
            return network.logits(Tensor.of(images.clone(), batch, shape[0], shape[1], shape[2]))
                    .data();
        }
    }

    /** {@code max|a - b| / max|a|}. */
    static double relativeError(float[] expected, float[] actual) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            ref = Math.max(ref, Math.abs(expected[i]));
        }
        return ref == 0 ? diff : diff / ref;
    }

    /** A few Adam steps (lr 1e-3) on the first {@code images} images in batches of {@code batch}; leaves the model in eval mode. */
    static void train(SpikingClassifier model, ArrayDataset train, int images, int batch) {
        model.train(true);
        Adam optimizer = Adam.adam(model.parameters(), 1e-3f);
        for (int from = 0; from + batch <= images; from += batch) {
            Tensor x = Tensor.of(images(train, from, batch), batch, 1, 28, 28);
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = train.label(from + i);
            }
            Tensor loss = Losses.crossEntropy(model.logits(x), labels);
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
        }
        model.eval();
    }

    /** Spikes per layer that a threshold tie may flip without moving the logits past the tolerance. */
    private static final int FLIPPED_SPIKES = 4;

    /**
     * The runtime's logits equal the training network's and the reference executor's on every
     * execution path, under the one rule of {@link Equivalence} (docs/methods.md 2, equivalence and
     * the tie rule); on the untied images the runtime's per-layer adds, multiplies and firing rates
     * equal {@code ModelReport}'s.
     */
    static void assertEquivalent(String label, Model model, float[] training, float[] images, int batch) {
        Graph reference = model.graph();
        float[] executor = ReferenceExecutor.logits(reference, images, batch);
        java.util.Set<Integer> tied = new java.util.TreeSet<>();
        for (ExecutionPath path : ExecutionPath.values()) {
            Inference run = model.infer(images, batch, path);
            var vsTraining = Equivalence.compare(reference, images, batch, training, run.logits());
            var vsExecutor = Equivalence.compare(reference, images, batch, executor, run.logits());
            System.out.printf(
                    "%s, path %s: vs training %s; vs reference executor %s; densities %s%n",
                    label,
                    path,
                    vsTraining.describe(),
                    vsExecutor.describe(),
                    run.layers().stream()
                            .map(l -> String.format("%s %.3f", l.name(), l.inputDensity()))
                            .toList());
            assertThat(vsTraining.errors())
                    .as("images differing from the training network without a tie, path " + path)
                    .isEmpty();
            assertThat(vsExecutor.errors())
                    .as("images differing from the reference executor without a tie, path " + path)
                    .isEmpty();
            // Images, not comparisons: an image tied against both the training network and the
            // reference executor is one tie.
            java.util.Set<Integer> tiedOnPath = new java.util.TreeSet<>(vsTraining.ties());
            tiedOnPath.addAll(vsExecutor.ties());
            assertThat(tiedOnPath)
                    .as("images with threshold ties, path " + path)
                    .hasSizeLessThanOrEqualTo(Equivalence.tiesAllowed(batch));
            tied.addAll(tiedOnPath);
        }
        // The counters agree with the quant module's accounting of the same run (docs/methods.md 4), on
        // the images where no tie made the logits differ. A tie whose flipped spike moved the logits
        // by less than 1e-5 still changes the counts by that one spike, so each layer may differ by
        // at most FLIPPED_SPIKES spikes: in its firing rate, and in its adds and multiplies by the
        // operations those spikes cause (at most the layer's weight count each). A miscount is
        // larger: it repeats on every image and step.
        int kept = batch - tied.size();
        int imageSize = images.length / batch;
        float[] untied = new float[kept * imageSize];
        for (int b = 0, k = 0; b < batch; b++) {
            if (!tied.contains(b)) {
                System.arraycopy(images, b * imageSize, untied, k++ * imageSize, imageSize);
            }
        }
        var report = ModelReport.measure(reference, untied);
        for (ExecutionPath path : ExecutionPath.values()) {
            Inference run = model.infer(untied, kept, path);
            for (LayerStats layer : run.layers()) {
                var expected = report.layers().stream()
                        .filter(l -> l.name().equals(layer.name()))
                        .findFirst()
                        .orElseThrow();
                double flippedOps = (double) FLIPPED_SPIKES * Math.max(1, expected.weights()) / kept;
                assertThat(layer.adds())
                        .as("adds of " + layer.name())
                        .isCloseTo(expected.acs(), within(1e-6 * (1 + expected.acs()) + flippedOps));
                assertThat(layer.multiplies())
                        .as("multiplies of " + layer.name())
                        .isCloseTo(expected.macs(), within(1e-6 * (1 + expected.macs()) + flippedOps));
                if (layer.kind().equals("neuron")) {
                    long outputs = (long) kept * model.timeSteps();
                    for (int d : expected.outputShape()) {
                        outputs *= d;
                    }
                    assertThat(layer.firingRate())
                            .as("firing of " + layer.name())
                            .isCloseTo(expected.firingRate(), within((FLIPPED_SPIKES + 1e-3) / outputs));
                }
            }
        }
    }
}
