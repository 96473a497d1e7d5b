package dev.spikebit.quant.deploy;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryLinear;
import dev.spikebit.quant.binary.QuantModels;
import java.util.SplittableRandom;

/** Untrained zoo models with realistic batch-norm statistics, for the fast deployment tests. */
final class RandomModels {
    private RandomModels() {}

    static ModelSpec spec(String spikes, String weights, boolean binaryEdges) {
        return spec("fmnist-cnn", spikes, weights, binaryEdges);
    }

    static ModelSpec spec(String model, String spikes, String weights, boolean binaryEdges) {
        ModelSpec d = ModelZoo.defaultSpec(model)
                .withSpikes(SpikeKind.of(spikes, "spikes"))
                .withWeights(WeightKind.of(weights, "weights"));
        return new ModelSpec(
                d.model(),
                d.timeSteps(),
                d.inChannels(),
                d.inSize(),
                d.numClasses(),
                d.spikes(),
                d.weights(),
                binaryEdges,
                d.surrogate(),
                d.tau(),
                d.vth(),
                d.detachReset());
    }

    /**
     * fmnist-cnn with the spec's weights, its batch-norm statistics estimated from a few random
     * images (so every layer sees inputs of a sensible scale), then randomised as in
     * {@link TrainingFixtures#randomizeBatchNorms}. In evaluation mode.
     */
    static SpikingClassifier calibrated(ModelSpec spec, long seed) {
        SpikingClassifier model = QuantModels.build(spec, seed);
        var rng = new SplittableRandom(seed);
        model.train(true);
        try (var scope = NoGrad.enter()) {
            for (int i = 0; i < 6; i++) {
                model.forward(Tensor.of(images(rng, 8), 8, 1, 28, 28));
            }
        }
        model.eval();
        TrainingFixtures.randomizeBatchNorms(model, rng);
        // A hidden linear layer has no batch norm to set its scale: at initialisation its outputs
        // stay far below the threshold, so strengthen it until its neurons fire.
        var layers = model.body().layers();
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (layers.get(i) instanceof Linear linear && layers.get(i + 1) instanceof LIFNode) {
                scale(
                        linear instanceof BinaryLinear b && b.alpha() != null
                                ? b.alpha().data()
                                : linear.weight().data(),
                        12f);
            }
        }
        return model;
    }

    private static void scale(float[] values, float factor) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= factor;
        }
    }

    /** Random images: smooth blobs of light on a dark background, pixels in [0, 1]. */
    static float[] images(SplittableRandom rng, int count) {
        float[] out = new float[count * 28 * 28];
        for (int n = 0; n < count; n++) {
            double cx = 6 + 16 * rng.nextDouble();
            double cy = 6 + 16 * rng.nextDouble();
            double r = 4 + 6 * rng.nextDouble();
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (r * r);
                    double v = Math.exp(-d2) + 0.1 * rng.nextDouble();
                    out[(n * 28 + y) * 28 + x] = (float) Math.min(1, v);
                }
            }
        }
        return out;
    }
}
