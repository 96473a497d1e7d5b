package dev.spikebit.cli;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.train.Evaluation;
import dev.spikebit.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spikebit eval}: test accuracy of a checkpoint. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on a dataset's test split.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint written by 'spikebit train'.")
    Path checkpoint;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Dataset. Default: ${DEFAULT-VALUE}")
    String dataset;

    @Option(names = "--data-dir", description = "Where the dataset files are.")
    Path dataDir;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images (0 = all).")
    int testLimit;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size. Default: ${DEFAULT-VALUE}")
    int batch;

    @Override
    public Integer call() {
        OptionRanges.between("--batch", batch, 1, TrainConfig.MAX_BATCH);
        OptionRanges.atLeast("--test-limit", testLimit, 0);
        Checkpoint ckpt = Checkpoint.load(checkpoint);
        SpikingClassifier model = QuantModels.fromCheckpoint(ckpt);
        // Event data is binned into as many frames as the model runs steps, at the model's input size.
        DatasetChoice.Frames frames = new DatasetChoice.Frames(
                ckpt.spec().timeSteps(),
                DatasetChoice.Frames.of(ckpt.spec().timeSteps()).mode(),
                ckpt.spec().inSize(),
                null);
        DatasetChoice data = DatasetChoice.load(DatasetName.of(dataset), dataDir, 1, testLimit, frames);
        long start = System.nanoTime();
        Evaluation.Result r = Evaluation.evaluate(model, data.test(), batch);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%s on %s: test accuracy %.2f%% (%d images), loss %.4f, %.0f images/s%n",
                ckpt.spec().model(), data.name(), 100 * r.accuracy(), r.images(), r.loss(), r.images() / seconds);
        return 0;
    }
}
