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

    @Option(
            names = "--cache-dir",
            description = "Event data: where binned frames are kept (default ~/.cache/spikebit/frames; "
                    + "nfashion-mnist: in memory). With --spark, a folder the driver and the executors share.")
    Path cacheDir;

    @Option(
            names = "--spark",
            arity = "0..1",
            fallbackValue = "local[*]",
            paramLabel = "MASTER",
            description = "Evaluate on Apache Spark, the test set in partitions of whole batches that the executors "
                    + "load themselves: local[*] (the default with no value), local[N], spark://HOST:PORT, yarn, "
                    + "k8s://... (docs/distributed.md).")
    String spark;

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
                cacheDir);
        long start = System.nanoTime();
        String name;
        Evaluation.Result r;
        if (spark != null) {
            var split = new TestSplit(
                    DatasetName.of(dataset).id(),
                    dataDir == null ? null : dataDir.toAbsolutePath().toString(),
                    testLimit,
                    frames.timeSteps(),
                    frames.mode().name(),
                    frames.size(),
                    cacheDir == null ? null : cacheDir.toAbsolutePath().toString());
            Evaluation.Scores s = ClusterBackend.load().evaluate(spark, checkpoint, split, batch);
            int n = s.predictions().length;
            r = new Evaluation.Result(s.lossSum() / Math.max(1, n), (double) s.correct() / Math.max(1, n), n);
            name = DatasetName.of(dataset).id();
        } else {
            DatasetChoice data = DatasetChoice.load(DatasetName.of(dataset), dataDir, 1, testLimit, frames);
            start = System.nanoTime();
            r = Evaluation.evaluate(model, data.test(), batch);
            name = data.name();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%s on %s: test accuracy %.2f%% (%d images), loss %.4f, %.0f images/s%n",
                ckpt.spec().model(), name, 100 * r.accuracy(), r.images(), r.loss(), r.images() / seconds);
        return 0;
    }
}
