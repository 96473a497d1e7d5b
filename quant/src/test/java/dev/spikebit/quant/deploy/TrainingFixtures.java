package dev.spikebit.quant.deploy;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.RealData;
import dev.spikebit.data.mnist.FashionMnist;
import dev.spikebit.data.mnist.FashionMnistData;
import java.util.SplittableRandom;

/** Real data and short training runs shared by the deployment tests. */
final class TrainingFixtures {
    private static FashionMnistData data;

    private TrainingFixtures() {}

    /** Fashion-MNIST from the Debian package folder; without it the test fails ({@link RealData}). */
    static synchronized FashionMnistData fashionMnist() {
        RealData.requireFashionMnist();
        if (data == null) {
            data = FashionMnist.load((java.nio.file.Path) null);
        }
        return data;
    }

    /** Images {@code [from, from + count)} of a dataset as one flat {@code [count, 1, 28, 28]} array. */
    static float[] images(ArrayDataset set, int from, int count) {
        int per = 28 * 28;
        float[] out = new float[count * per];
        for (int i = 0; i < count; i++) {
            set.copySample(from + i, out, i * per);
        }
        return out;
    }

    static int[] labels(ArrayDataset set, int from, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = set.label(from + i);
        }
        return out;
    }

    /**
     * One pass of Adam (lr 1e-3) over the first {@code images} training images in batches of
     * {@code batch}: enough for batch-norm statistics and amplitudes to move away from their
     * initial values. Leaves the model in evaluation mode; returns the last loss.
     */
    static float train(SpikingClassifier model, ArrayDataset train, int images, int batch) {
        model.train(true);
        Adam optimizer = Adam.adam(model.parameters(), 1e-3f);
        float loss = Float.NaN;
        for (int from = 0; from + batch <= images; from += batch) {
            Tensor x = Tensor.of(images(train, from, batch), batch, 1, 28, 28);
            Tensor l = Losses.crossEntropy(model.logits(x), labels(train, from, batch));
            optimizer.zeroGrad();
            l.backward();
            optimizer.step();
            loss = l.item();
        }
        model.eval();
        return loss;
    }

    /**
     * Moves every batch norm's statistics and affine parameters to random values around the
     * trained ones, a quarter of the gammas negative, so that the folding meets general values
     * and the sign flip of negative scales is exercised.
     */
    static void randomizeBatchNorms(SpikingClassifier model, SplittableRandom rng) {
        model.visit(m -> {
            if (m instanceof BatchNorm bn) {
                float[] gamma = bn.gamma().data();
                float[] beta = bn.beta().data();
                float[] mean = bn.runningMean();
                float[] var = bn.runningVar();
                for (int c = 0; c < bn.channels(); c++) {
                    float sd = (float) Math.sqrt(var[c]);
                    gamma[c] *= (float) (0.6 + 0.8 * rng.nextDouble()) * (rng.nextDouble() < 0.25 ? -1 : 1);
                    beta[c] += (float) (0.3 * rng.nextGaussian());
                    mean[c] += (float) (0.2 * sd * rng.nextGaussian());
                    var[c] *= (float) (0.5 + 1.5 * rng.nextDouble());
                }
            }
        });
    }

    /** The model's class scores for a batch, in evaluation mode and without a graph. */
    static float[] logits(SpikingClassifier model, float[] images, int batch) {
        try (var scope = NoGrad.enter()) {
            return model.logits(Tensor.of(images, batch, 1, 28, 28)).data();
        }
    }
}
