package dev.spikebit.quant.deploy;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryLinear;
import dev.spikebit.quant.binary.QuantModels;
import java.util.SplittableRandom;

/**
 * The zoo's residual networks (resnet19, resnet20, ms-resnet18) untrained but with realistic
 * batch norms, on CIFAR-shaped synthetic images, for the residual deployment tests.
 */
final class ResidualModels {
    private ResidualModels() {}

    /** The zoo's spec for CIFAR-10 input (32x32) with the given spikes, weights and T. */
    static ModelSpec spec(String model, String spikes, String weights, boolean binaryEdges, int timeSteps) {
        return spec(model, spikes, weights, binaryEdges, timeSteps, 32);
    }

    /** The same at another image size (smaller is faster where only the graph matters). */
    static ModelSpec spec(String model, String spikes, String weights, boolean binaryEdges, int timeSteps, int size) {
        ModelSpec d = ModelZoo.defaultSpec(model);
        ModelSpec spec = new ModelSpec(
                d.model(),
                timeSteps,
                d.inChannels(),
                size,
                d.numClasses(),
                SpikeKind.of(spikes, "spikes"),
                WeightKind.BINARY,
                binaryEdges,
                d.surrogate(),
                d.tau(),
                d.vth(),
                d.detachReset());
        return weights.equals("sub-bit")
                ? spec.withSubBit(4, true, 0)
                : spec.withWeights(WeightKind.of(weights, "weights"));
    }

    /**
     * The model with batch-norm statistics from a few training-mode passes over random images
     * (each pass moves them 10% toward the batch's), then randomised as in
     * {@link TrainingFixtures#randomizeBatchNorms}: a quarter of the gammas negative. MS-ResNet's
     * branch batch norms start with gamma 0 (every block the identity); they get gammas around 0.5
     * first, except one channel of each that stays at 0, so that a zero scale in an affine node is
     * exercised too. In evaluation mode.
     */
    static SpikingClassifier calibrated(ModelSpec spec, long seed, int passes) {
        SpikingClassifier model = QuantModels.build(spec, seed);
        var rng = new SplittableRandom(seed);
        model.visit(m -> {
            if (m instanceof BatchNorm bn && allZero(bn.gamma().data())) {
                float[] gamma = bn.gamma().data();
                for (int c = 1; c < gamma.length; c++) {
                    gamma[c] = (float) (0.3 + 0.4 * rng.nextDouble());
                }
            }
        });
        model.train(true);
        try (var scope = NoGrad.enter()) {
            for (int i = 0; i < passes; i++) {
                model.forward(Tensor.of(images(rng, 2, spec.inSize()), 2, 3, spec.inSize(), spec.inSize()));
            }
        }
        model.eval();
        TrainingFixtures.randomizeBatchNorms(model, rng);
        // resnet19's hidden linear layer has no batch norm to set its scale: at initialisation its
        // outputs stay below the threshold, so strengthen it until its neurons fire.
        var layers = model.body().layers();
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (layers.get(i) instanceof Linear linear && layers.get(i + 1) instanceof LIFNode) {
                float[] scale = linear instanceof BinaryLinear b && b.alpha() != null
                        ? b.alpha().data()
                        : linear.weight().data();
                for (int j = 0; j < scale.length; j++) {
                    scale[j] *= 8f;
                }
            }
        }
        return model;
    }

    private static boolean allZero(float[] values) {
        for (float v : values) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    /** Random CIFAR-shaped (3x32x32) images. */
    static float[] images(SplittableRandom rng, int count) {
        return images(rng, count, 32);
    }

    /** Random RGB images in [0, 1]: a coloured blob on a noisy background. */
    static float[] images(SplittableRandom rng, int count, int size) {
        int plane = size * size;
        float[] out = new float[count * 3 * plane];
        for (int n = 0; n < count; n++) {
            double cx = size * (0.25 + 0.5 * rng.nextDouble());
            double cy = size * (0.25 + 0.5 * rng.nextDouble());
            double r = size * (0.125 + 0.25 * rng.nextDouble());
            for (int c = 0; c < 3; c++) {
                double tint = rng.nextDouble();
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (r * r);
                        double v = tint * Math.exp(-d2) + 0.3 * rng.nextDouble();
                        out[(n * 3 + c) * plane + y * size + x] = (float) Math.min(1, v);
                    }
                }
            }
        }
        return out;
    }
}
