package dev.spikebit.train.deploy;

import dev.spikebit.quant.deploy.DeployedExecutor;
import dev.spikebit.quant.deploy.DeployedModel;
import dev.spikebit.quant.deploy.DeployedNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Which images disagree between two runs of the same network, and whether each disagreement is a
 * threshold tie.
 *
 * <p>The runtime, the reference executor and the training engine compute the same sums in
 * different orders, so their potentials differ in the last bits. A potential that lies within that
 * rounding of its threshold can fire in one run and not in the other; with real-valued spikes the
 * emitted value then differs by about the threshold and the image's logits move by more than the
 * 1e-5 of the equivalence check, legitimately. Such an image is a tie when the reference executor
 * finds, for that image, a neuron whose potential is within {@code margin} (relative) of its
 * threshold. Any other disagreement is a real difference.
 */
public final class ThresholdTies {
    /** Images disagreeing beyond the tolerance, split into ties and real differences. */
    public record Comparison(double maxErrorOfAgreeing, List<Integer> ties, List<Integer> real) {}

    private ThresholdTies() {}

    /**
     * Compares per image ({@code max |a - b|} over its logits divided by {@code max |a|} over the whole
     * batch, the relative error of the other checks) and classifies every image above
     * {@code tolerance}.
     */
    public static Comparison compare(
            float[] expected,
            float[] actual,
            int batch,
            double tolerance,
            DeployedModel reference,
            float[] images,
            double margin) {
        int classes = expected.length / batch;
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double agreeing = 0;
        List<Integer> ties = new ArrayList<>();
        List<Integer> real = new ArrayList<>();
        int imageSize = images.length / batch;
        for (int b = 0; b < batch; b++) {
            double diff = 0;
            for (int j = 0; j < classes; j++) {
                diff = Math.max(diff, Math.abs(expected[b * classes + j] - actual[b * classes + j]));
            }
            double error = diff / scale;
            if (error <= tolerance) {
                agreeing = Math.max(agreeing, error);
            } else {
                float[] image = java.util.Arrays.copyOfRange(images, b * imageSize, (b + 1) * imageSize);
                (closestToThreshold(reference, image) <= margin ? ties : real).add(b);
            }
        }
        return new Comparison(agreeing, ties, real);
    }

    /** The smallest {@code |U - threshold| / |threshold|} over every neuron and step of one image. */
    public static double closestToThreshold(DeployedModel reference, float[] image) {
        double[] closest = {Double.POSITIVE_INFINITY};
        DeployedExecutor.run(reference, image, 1, new DeployedExecutor.Observer() {
            @Override
            public void afterNode(int index, DeployedNode node, int step, float[] input, float[] output, int batch) {}

            @Override
            public boolean wantsPotentials() {
                return true;
            }

            @Override
            public void potentials(int index, DeployedNode.Neuron node, int step, float[] potentials, int batch) {
                int channels = node.threshold().length;
                int plane = potentials.length / channels;
                for (int j = 0; j < potentials.length; j++) {
                    float threshold = node.threshold()[j / plane];
                    double distance = Math.abs(potentials[j] - threshold) / Math.max(Math.abs(threshold), 1e-12);
                    closest[0] = Math.min(closest[0], distance);
                }
            }
        });
        return closest[0];
    }
}
