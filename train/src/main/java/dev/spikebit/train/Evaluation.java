package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.loader.Batch;
import dev.spikebit.data.loader.DataLoader;
import java.util.function.BiConsumer;

/** Test-set evaluation: predictions, mean loss and accuracy of the time-mean output, in eval mode, without a graph. */
public final class Evaluation {
    /** Loss and accuracy over a dataset. */
    public record Result(double loss, double accuracy, int images) {}

    private Evaluation() {}

    /**
     * The class the model predicts for each sample of {@code data}, in order (the argmax of the
     * time-mean output, in eval mode, without a graph).
     */
    public static int[] predictions(SpikingClassifier model, Dataset data, int batchSize) {
        int[] predicted = new int[data.size()];
        int[] seen = {0};
        forEachBatch(model, data, batchSize, (batch, logits) -> {
            int[] p = Losses.argmax(logits);
            System.arraycopy(p, 0, predicted, seen[0], p.length);
            seen[0] += p.length;
        });
        return predicted;
    }

    public static Result evaluate(SpikingClassifier model, Dataset data, int batchSize) {
        Scores s = score(model, data, batchSize);
        int seen = s.predictions().length;
        return new Result(s.lossSum() / Math.max(1, seen), (double) s.correct() / Math.max(1, seen), seen);
    }

    /**
     * What {@link #evaluate} computes, before the division: the predicted class of each sample, the
     * loss summed over the samples (each batch's mean times its size, added batch by batch in
     * order) and the number of correct predictions. Scores of consecutive parts of a dataset add up
     * to the scores of the whole.
     */
    public record Scores(int[] predictions, double lossSum, long correct) {}

    /** The {@link Scores} of {@code model} on {@code data}, in one pass. */
    public static Scores score(SpikingClassifier model, Dataset data, int batchSize) {
        int[] predicted = new int[data.size()];
        double[] lossSum = {0};
        long[] correct = {0};
        int[] seen = {0};
        forEachBatch(model, data, batchSize, (b, logits) -> {
            lossSum[0] += Losses.crossEntropy(logits, b.labels()).item() * b.size();
            int[] p = Losses.argmax(logits);
            for (int i = 0; i < p.length; i++) {
                if (p[i] == b.labels()[i]) {
                    correct[0]++;
                }
            }
            System.arraycopy(p, 0, predicted, seen[0], p.length);
            seen[0] += p.length;
        });
        return new Scores(predicted, lossSum[0], correct[0]);
    }

    /** Runs the model over {@code data} in order, in eval mode without a graph, batch by batch. */
    private static void forEachBatch(
            SpikingClassifier model, Dataset data, int batchSize, BiConsumer<Batch, Tensor> logitsOfBatch) {
        if (batchSize < 1) {
            throw new SpikebitException("the evaluation batch size must be >= 1, got " + batchSize);
        }
        if (data.size() == 0) {
            throw new SpikebitException(data.name() + ": no samples to evaluate on");
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        DataLoader loader =
                DataLoader.over(data).batchSize(batchSize).shuffle(false).build();
        try (NoGrad scope = NoGrad.enter();
                var epoch = loader.epoch(0)) {
            while (epoch.hasNext()) {
                Batch b = epoch.next();
                logitsOfBatch.accept(b, model.logits(ModelInput.of(b)));
            }
        } finally {
            model.train(wasTraining);
        }
    }
}
