package dev.spikebit.cli;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.mnist.FashionMnist;
import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
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
    record Deployed(SpikingClassifier network, Path file) {
    }

    private RuntimeFixtures() {
    }

    static synchronized FashionMnistData fashionMnist() {
        Assumptions.assumeTrue(Files.isDirectory(FASHION_MNIST), "Fashion-MNIST is not installed in " + FASHION_MNIST);
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
            ModelSpec spec = ModelZoo.defaultSpec(model).withSpikes(spikes).withWeights("binary");
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
            return network.logits(Tensor.of(images.clone(), batch, shape[0], shape[1], shape[2])).data();
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
}
