package dev.spikebit.train.deploy;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedExecutor;
import dev.spikebit.quant.deploy.DeployedModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the training network in eval mode with its deployed form on real images, image by
 * image: an image agrees when its logits match to relative error 1e-5. A disagreeing image is
 * excused as a threshold tie ({@link ThresholdTies}) only while such images stay rare (at most
 * two, or 1% of the images): a neuron near its threshold can be found in most images, so the
 * tie test alone would excuse a network that computes something else on all of them.
 */
public final class EquivalenceCheck {
    /** Relative error 1e-5 (docs/methods.md 2). */
    public static final double TOLERANCE = 1e-5;
    /** A potential this close to its threshold (relative) is within the rounding of the two computations. */
    public static final double TIE_MARGIN = 1e-4;

    /**
     * @param images             images compared
     * @param maxErrorOfAgreeing the largest relative error among the agreeing images
     * @param ties               test-set indices of images that differ by a threshold tie
     * @param real               test-set indices of images that differ without one
     */
    public record Result(int images, double maxErrorOfAgreeing, List<Integer> ties, List<Integer> real) {
        /** Threshold ties excused: two, or 1% of the images. */
        public int tiesAllowed() {
            return Math.max(2, images / 100);
        }

        public boolean passed() {
            return real.isEmpty() && ties.size() <= tiesAllowed();
        }

        /** Why the check failed, for the error message. */
        public String failure() {
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

        public String summary() {
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

    public static Result run(SpikingClassifier model, DeployedModel deployed, Dataset data, int count) {
        int n = Math.min(count, data.size());
        double agreeing = 0;
        List<Integer> ties = new ArrayList<>();
        List<Integer> real = new ArrayList<>();
        for (int first = 0; first < n; first += 64) {
            int b = Math.min(64, n - first);
            float[] images = Samples.range(data, first, first + b);
            int[] shape = new int[] {b, deployed.inputShape()[0], deployed.inputShape()[1], deployed.inputShape()[2]};
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
