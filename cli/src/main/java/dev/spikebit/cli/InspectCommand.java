package dev.spikebit.cli;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.train.deploy.Deployment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikebit inspect}: per layer of a deployed model, as Larq's model summary: bits per
 * weight, bytes, firing rate, MACs and ACs per image counted from an actual run on real test
 * images, and energy (docs/methods.md 4).
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Per-layer bits, bytes, firing rates, operations and energy of a deployed model.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A deployed model written by 'spikebit deploy'.")
    Path model;

    @Option(
            names = "--images",
            defaultValue = "256",
            description = "Test images to measure activity on. Default: ${DEFAULT-VALUE}")
    int images;

    @Option(names = "--data-dir", description = "Where the dataset files are.")
    Path dataDir;

    /** The Fashion-MNIST test split's size. */
    static final int MAX_IMAGES = 10_000;

    @Override
    public Integer call() {
        OptionRanges.between("--images", images, 1, MAX_IMAGES);
        Graph deployed = DeployedFormat.load(model);
        Deployment.requireTimeSteps(model, deployed.timeSteps());
        Dataset test = DatasetChoice.load(DatasetName.FASHION_MNIST, dataDir, 1, images)
                .test();
        ModelReport report = ModelReport.measure(deployed, Samples.first(test, images));
        System.out.println(report.table());
        return 0;
    }
}
