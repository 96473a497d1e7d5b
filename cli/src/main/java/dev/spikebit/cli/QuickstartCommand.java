package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.deploy.Reparameterizer;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.deploy.EquivalenceCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikebit quickstart}: the main job on the embedded defaults. Finds Fashion-MNIST, trains a
 * ReverB {@code fmnist-cnn} (real-valued spikes, binary weights with trained amplitudes) for a few
 * epochs, re-parameterizes and deploys it, checks that the deployed network gives the same
 * logits, and reports accuracy, deployed size, energy per image and the time it took.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = "Train a ReverB spiking CNN on Fashion-MNIST, deploy it with +-1 weights, and report accuracy, "
                + "size, energy and time.")
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "2", description = "Epochs. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is (else found automatically).")
    Path dataDir;

    @Option(
            names = "--out",
            defaultValue = "runs/quickstart",
            description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(
            names = "--train-limit",
            defaultValue = "0",
            description = "Use only the first N training images (0 = all).")
    int trainLimit;

    @Override
    public Integer call() throws IOException {
        OptionRanges.between("--epochs", epochs, 1, TrainConfig.MAX_EPOCHS);
        OptionRanges.atLeast("--train-limit", trainLimit, 0);
        long start = System.nanoTime();
        DatasetChoice data = DatasetChoice.load(DatasetName.FASHION_MNIST, dataDir, trainLimit, 0);
        ModelSpec spec =
                ModelZoo.defaultSpec("fmnist-cnn").withSpikes(SpikeKind.REAL).withWeights(WeightKind.BINARY);
        TrainConfig config =
                TrainConfig.builder(spec).epochs(epochs).trainLimit(trainLimit).build();
        SpikingClassifier model = Models.build(spec, config.seed());
        System.err.printf(
                "quickstart: ReverB %s (real-valued spikes, binary weights; %d parameters) on %s, %d epochs, T=%d%n",
                spec.model(), model.parameterCount(), data.train().name(), epochs, spec.timeSteps());
        List<EpochMetrics> history = new Trainer(config, model, data.train(), data.test(), null, out, System.err)
                .withListener(TrainingProgress.withOutputFiles(System.err))
                .recordingDataset(DatasetName.FASHION_MNIST)
                .run();
        EpochMetrics last = history.get(history.size() - 1);

        model.eval();
        Graph deployed = Reparameterizer.deploy(model);
        Path file = out.resolve("deployed.safetensors");
        DeployedFormat.save(file, deployed);
        var equivalence = EquivalenceCheck.run(model, file, data.test(), 512);
        if (!equivalence.passed()) {
            throw new SpikebitException(
                    file + ": the deployed network differs from the training network: " + equivalence.describe());
        }
        ModelReport report = ModelReport.measure(deployed, Samples.first(data.test(), 1000));
        double minutes = (System.nanoTime() - start) / 60e9;

        System.out.printf("%nquickstart done in %.1f min%n", minutes);
        System.out.printf(
                "  test accuracy      %.2f%% (training network, %d test images)%n",
                100 * last.testAccuracy(), data.test().size());
        System.out.printf("  training speed     %.0f images/s%n", last.imagesPerSecond());
        System.out.printf(
                "  deployed model     %s: %,d bytes, %.2f bits per weight on average%n",
                file, Files.size(file), report.bitsPerWeight());
        System.out.printf("  equivalence        deployed vs training logits: %s%n", equivalence.describe());
        System.out.printf(
                "  energy per image   %.1f nJ (%,.0f MACs, %,.0f ACs; 4.6 pJ/MAC, 0.9 pJ/AC)%n",
                report.energyPj() / 1000, report.macs(), report.acs());
        System.out.printf("  per layer          spikebit inspect %s%n", file);
        return 0;
    }
}
