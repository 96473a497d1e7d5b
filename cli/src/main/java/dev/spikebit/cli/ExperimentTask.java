package dev.spikebit.cli;

import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.train.experiment.ExperimentSetup;
import dev.spikebit.train.experiment.ReverbExperiment;
import dev.spikebit.train.experiment.S2nnExperiment;
import java.nio.file.Path;
import java.util.List;

/**
 * One independent piece of an experiment table, run as one cluster task by {@code experiment
 * --spark}: a ReverB row for one seed, or everything of one S2NN seed (its teacher, its binary
 * network and the sub-bit rows compressed from them, which need both). The task trains into the
 * same run directories under the shared {@code --out} as the single-machine command, through the
 * same resumable runs, so a retried task continues from the last checkpoint its earlier attempt
 * wrote, and the driver then gathers the table from the finished directories exactly as the
 * single-machine command does.
 *
 * @param experiment   {@code reverb} or {@code s2nn}
 * @param row          the ReverB row's slug (unused for s2nn)
 * @param plan         the S2NN table of this seed (null for reverb)
 * @param validation   training images held out as the validation set (0 = none)
 * @param augment      whether the training images are augmented
 * @param measureImages test images each row's deployed network is measured on
 * @param dataDir      where the dataset is on the executors, or null to look in the usual places
 * @param out          the shared output directory (absolute: executors run in folders of their own)
 */
record ExperimentTask(
        String experiment,
        String model,
        String row,
        long seed,
        int epochs,
        float lr,
        S2nnExperiment.Plan plan,
        int trainLimit,
        int testLimit,
        int validation,
        boolean augment,
        int measureImages,
        String dataDir,
        String out)
        implements ClusterBackend.Task {
    @Override
    public String name() {
        return experiment + " " + (experiment.equals("reverb") ? row + " " : "") + "seed " + seed;
    }

    @Override
    public void run() throws Exception {
        DatasetChoice data = DatasetChoice.load(
                DatasetName.FASHION_MNIST, dataDir == null ? null : Path.of(dataDir), trainLimit, testLimit);
        boolean s2nn = !experiment.equals("reverb");
        // the same setup and listener as on one machine, so that every run folder gets the same files
        ExperimentSetup setup = ExperimentCommand.setup(
                model, data, validation, augment, List.of(seed), epochs, lr, Path.of(out), s2nn, measureImages);
        if (!s2nn) {
            // the driver deploys and measures every row once, as one machine does
            new ReverbExperiment(setup, ReverbExperiment.rowsNamed(List.of(row))).trainRuns();
        } else {
            new S2nnExperiment(setup, plan).run();
        }
    }
}
