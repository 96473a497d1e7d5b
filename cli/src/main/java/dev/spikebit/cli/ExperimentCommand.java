package dev.spikebit.cli;

import dev.spikebit.cli.experiment.ExperimentRow;
import dev.spikebit.cli.experiment.ReverbExperiment;
import dev.spikebit.core.SpikebitException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code spikebit experiment reverb}: the papers' comparison tables, trained and measured end to end. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a paper's comparison: 'reverb' trains FP-SNN, BSNN, ReverB (fixed and trained alpha) and "
                + "real spikes with FP weights, deploys each, and writes reverb-table.md/.json/.png.")
public final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "reverb")
    String which;

    @Option(names = "--model", defaultValue = "fmnist-cnn", description = "Zoo model. Default: ${DEFAULT-VALUE}")
    String model;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs per row. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "First seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--seeds", defaultValue = "1", description = "Number of seeds (seed, seed+1, ...). Default: ${DEFAULT-VALUE}")
    int seedCount;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate. Default: ${DEFAULT-VALUE}")
    float lr;

    @Option(names = "--train-limit", defaultValue = "0", description = "Use only the first N training images (0 = all).")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images (0 = all).")
    int testLimit;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is.")
    Path dataDir;

    @Option(names = "--out", defaultValue = "runs/experiment", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!which.equals("reverb")) {
            throw new SpikebitException("unknown experiment \"" + which + "\": expected reverb");
        }
        if (epochs < 1 || seedCount < 1) {
            throw new SpikebitException("--epochs and --seeds must be >= 1");
        }
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < seedCount; i++) {
            seeds.add(seed + i);
        }
        DatasetChoice data = DatasetChoice.load("fashion-mnist", dataDir, trainLimit, testLimit);
        List<ExperimentRow> rows = new ReverbExperiment(model, epochs, seeds, lr, data.train(), data.test(), out,
                System.err, 1000).run();
        System.out.printf("%-26s %10s %12s %14s %10s%n", "row", "accuracy", "bits/weight", "deployed bytes", "energy nJ");
        for (ExperimentRow r : rows) {
            System.out.printf("%-26s %7.2f%% %12.3f %,14d %10.1f%n", r.name(), 100 * r.accuracyMean(), r.bitsPerWeight(),
                    r.deployedBytes(), r.energyPj() / 1000);
        }
        System.out.println("table: " + out.resolve("reverb-table.md"));
        return 0;
    }
}
