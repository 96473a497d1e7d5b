package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When two computations of the same deployed network count as equal: the one rule that the deploy
 * check and every equivalence test apply (docs/methods.md 2, equivalence and the tie rule).
 *
 * <p>The training network, the {@link ReferenceExecutor} and the runtime's kernels compute the same
 * sums in different orders, so their values differ in the last bits. An image <em>agrees</em> when
 * its logits differ by at most {@value #TOLERANCE} relative ({@code max |a - b|} over its logits,
 * divided by {@code max |a|} over the whole batch). A potential that lies within rounding of its
 * threshold can fire in one computation and not in the other, and then the image's logits move by
 * about a spike, legitimately: an image that does not agree is a <em>threshold tie</em> when the
 * reference executor finds on it a neuron, at some step, whose pre-spike potential is within
 * {@value #TIE_MARGIN} of its threshold, relative to the threshold ({@link #nearThreshold}). Any
 * other disagreement is an <em>error</em>. Two computations are equivalent on a set of images when
 * no image is an error and at most {@link #tiesAllowed} images are ties: a tie test alone would
 * excuse a network that computes something else on all of them.
 */
public final class Equivalence {
    /** Relative error of the logits within which an image agrees. */
    public static final double TOLERANCE = 1e-5;

    /**
     * How close to its threshold, relative to it, a potential must be to count as a tie: float32
     * sums of a few thousand terms in different orders differ by up to about 1e-5 relative, and a
     * neuron integrates over steps, so ten times that.
     */
    public static final double TIE_MARGIN = 1e-4;

    private Equivalence() {}

    /**
     * The ties excused among {@code images} images: two, or one in 32. A tie is a rounding accident
     * and stays rare (0 to 4 in 128 images of a trained fmnist-cnn, docs/methods.md 2, equivalence and the tie rule); a network
     * that computes something else differs on most images.
     */
    public static int tiesAllowed(int images) {
        return Math.max(2, images / 32);
    }

    /** Whether {@code potential} is within {@link #TIE_MARGIN} of {@code threshold}, relative to the threshold. */
    public static boolean nearThreshold(double potential, double threshold) {
        return Math.abs(potential - threshold) <= TIE_MARGIN * Math.max(Math.abs(threshold), Float.MIN_NORMAL);
    }

    /**
     * The outcome of a comparison.
     *
     * @param images             how many images were compared
     * @param maxErrorOfAgreeing the largest relative error among the images that agree
     * @param ties               indices of the images that differ by a threshold tie
     * @param errors             indices of the images that differ otherwise
     */
    public record Result(int images, double maxErrorOfAgreeing, List<Integer> ties, List<Integer> errors) {
        public Result {
            ties = List.copyOf(ties);
            errors = List.copyOf(errors);
        }

        /** No error and at most {@link #tiesAllowed} ties. */
        public boolean passed() {
            return errors.isEmpty() && ties.size() <= tiesAllowed(images);
        }

        /** This result followed by {@code next}, whose image indices are shifted by this one's count. */
        public Result then(Result next) {
            List<Integer> t = new ArrayList<>(ties);
            List<Integer> e = new ArrayList<>(errors);
            next.ties.forEach(i -> t.add(images + i));
            next.errors.forEach(i -> e.add(images + i));
            return new Result(images + next.images, Math.max(maxErrorOfAgreeing, next.maxErrorOfAgreeing), t, e);
        }

        /** Why the comparison failed, or that it passed, in one sentence. */
        public String describe() {
            if (!errors.isEmpty()) {
                return String.format(
                        "%d of %d images differ (relative error above %s) with no neuron at its threshold: images %s",
                        errors.size(), images, TOLERANCE, errors);
            }
            if (!passed()) {
                return String.format(
                        "%d of %d images differ (relative error above %s), each with a neuron near its threshold, but "
                                + "more than %d such ties means the networks compute different things: images %s",
                        ties.size(), images, TOLERANCE, tiesAllowed(images), ties);
            }
            return String.format(
                    "relative error %.1e on %d images%s",
                    maxErrorOfAgreeing,
                    images,
                    ties.isEmpty()
                            ? ""
                            : String.format(
                                    " (%d differ by a threshold tie: images %s; a potential within rounding of its "
                                            + "threshold fires in one computation and not the other)",
                                    ties.size(), ties));
        }
    }

    /**
     * Compares {@code actual} with {@code expected} (both {@code [batch, numClasses]}) and classifies
     * each image that does not agree by running it through the {@link ReferenceExecutor} of
     * {@code reference}.
     */
    public static Result compare(Graph reference, float[] images, int batch, float[] expected, float[] actual) {
        if (expected.length != actual.length || expected.length != batch * reference.numClasses()) {
            throw new IllegalArgumentException("logits of " + expected.length + " and " + actual.length
                    + " values are not " + batch + " images of " + reference.numClasses() + " classes");
        }
        int classes = reference.numClasses();
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double agreeing = 0;
        List<Integer> ties = new ArrayList<>();
        List<Integer> errors = new ArrayList<>();
        int imageSize = images.length / batch;
        for (int b = 0; b < batch; b++) {
            double diff = 0;
            for (int j = 0; j < classes; j++) {
                diff = Math.max(diff, Math.abs(expected[b * classes + j] - actual[b * classes + j]));
            }
            double error = scale == 0 ? diff : diff / scale;
            if (error <= TOLERANCE) {
                agreeing = Math.max(agreeing, error);
            } else {
                float[] image = Arrays.copyOfRange(images, b * imageSize, (b + 1) * imageSize);
                (hasTie(reference, image) ? ties : errors).add(b);
            }
        }
        return new Result(batch, agreeing, ties, errors);
    }

    /** Whether some neuron, at some step, comes within {@link #TIE_MARGIN} of its threshold on {@code image}. */
    public static boolean hasTie(Graph reference, float[] image) {
        return closestToThreshold(reference, image) <= TIE_MARGIN;
    }

    /** The smallest {@code |U - threshold| / |threshold|} over every neuron and step of one image. */
    public static double closestToThreshold(Graph reference, float[] image) {
        double[] closest = {Double.POSITIVE_INFINITY};
        ReferenceExecutor.run(reference, image, 1, new ReferenceExecutor.Observer() {
            @Override
            public void afterLayer(int b, int index, Layer layer, int step, float[] input, float[] output) {}

            @Override
            public boolean wantsPotentials() {
                return true;
            }

            @Override
            public void potentials(int b, int index, Layer.Neuron layer, int step, float[] potentials) {
                int plane = potentials.length / layer.channels();
                for (int j = 0; j < potentials.length; j++) {
                    double threshold = layer.threshold()[j / plane];
                    closest[0] = Math.min(
                            closest[0],
                            Math.abs(potentials[j] - threshold) / Math.max(Math.abs(threshold), Float.MIN_NORMAL));
                }
            }
        });
        return closest[0];
    }
}
