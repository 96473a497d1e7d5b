package dev.spikebit.cli;

import dev.spikebit.cli.train.EpochMetrics;
import dev.spikebit.cli.train.TrainConfig;
import dev.spikebit.cli.train.Trainer;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code spikebit quickstart}: the main job on the embedded defaults. Finds Fashion-MNIST, trains
 * the reference spiking CNN for a few epochs and reports accuracy and speed.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Train the reference spiking CNN on Fashion-MNIST and report accuracy and speed.")
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "2", description = "Epochs. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is (else found automatically).")
    Path dataDir;

    @Option(names = "--out", defaultValue = "runs/quickstart", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--spikes", defaultValue = "binary", description = "binary or real (ReverB). Default: ${DEFAULT-VALUE}")
    String spikes;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        DatasetChoice data = DatasetChoice.load("fashion-mnist", dataDir, 0, 0);
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-cnn").withSpikes(spikes);
        TrainConfig config = new TrainConfig(spec, epochs, 64, "adam", 1e-3f, 0f, 0.9f, "cosine", "ce", false, 1, 0, 0);
        SpikingClassifier model = Models.build(spec, config.seed());
        System.err.printf("quickstart: %s (%d parameters) on Fashion-MNIST, %d epochs, T=%d%n", spec.model(),
                model.parameterCount(), epochs, spec.timeSteps());
        List<EpochMetrics> history = new Trainer(config, model, data.train(), data.test(), null, out, System.err).run();
        EpochMetrics last = history.get(history.size() - 1);
        double minutes = (System.nanoTime() - start) / 60e9;
        System.out.printf("%nquickstart done in %.1f min%n", minutes);
        System.out.printf("  test accuracy   %.2f%%%n", 100 * last.testAccuracy());
        System.out.printf("  training speed  %.0f images/s%n", last.imagesPerSecond());
        System.out.printf("  outputs         %s (checkpoints, metrics.json, curves.png)%n", out.toAbsolutePath());
        return 0;
    }
}
