package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.loader.Batch;
import dev.spikebit.data.loader.DataLoader;

/** Test-set evaluation: mean loss and accuracy of the time-mean output, in eval mode, without a graph. */
public final class Evaluation {
    /** Loss and accuracy over a dataset. */
    public record Result(double loss, double accuracy, int images) {}

    private Evaluation() {}

    public static Result evaluate(SpikingClassifier model, Dataset data, int batchSize) {
        if (batchSize < 1) {
            throw new SpikebitException("the evaluation batch size must be >= 1, got " + batchSize);
        }
        if (data.size() == 0) {
            throw new SpikebitException(data.name() + ": no samples to evaluate on");
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        DataLoader loader =
                DataLoader.over(data).batchSize(batchSize).shuffle(false).build();
        try (NoGrad scope = NoGrad.enter();
                var epoch = loader.epoch(0)) {
            while (epoch.hasNext()) {
                Batch b = epoch.next();
                Tensor logits = model.logits(ModelInput.of(b));
                lossSum += Losses.crossEntropy(logits, b.labels()).item() * b.size();
                int[] predicted = Losses.argmax(logits);
                for (int i = 0; i < predicted.length; i++) {
                    if (predicted[i] == b.labels()[i]) {
                        correct++;
                    }
                }
                seen += b.size();
            }
        } finally {
            model.train(wasTraining);
        }
        return new Result(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen), seen);
    }
}
