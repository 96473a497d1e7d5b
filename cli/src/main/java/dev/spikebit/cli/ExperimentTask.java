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
 * @param etas         the S2NN codebook sizes of this seed (unused for reverb)
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
        List<Integer> etas,
        float lambda,
        int trainLimit,
        int testLimit,
        String dataDir,
        String out)
        implements ClusterBackend.Task {
    ExperimentTask {
        etas = List.copyOf(etas);
    }

    @Override
    public String name() {
        return experiment + " " + (experiment.equals("reverb") ? row + " " : "") + "seed " + seed;
    }

    @Override
    public void run() throws Exception {
        DatasetChoice data = DatasetChoice.load(
                DatasetName.FASHION_MNIST, dataDir == null ? null : Path.of(dataDir), trainLimit, testLimit);
        Path dir = Path.of(out);
        boolean s2nn = !experiment.equals("reverb");
        // the same listener as on one machine, so that every run folder gets the same files
        var figures = new ExperimentFigures(TrainingProgress.withOutputFiles(System.err), s2nn);
        ExperimentSetup setup = ExperimentSetup.builder(model, data.train(), data.test(), dir)
                .epochs(epochs)
                .seeds(List.of(seed))
                .lr(lr)
                .log(System.err)
                .listener(figures)
                .build();
        if (!s2nn) {
            // the driver deploys and measures every row once, as one machine does
            new ReverbExperiment(setup, ReverbExperiment.rowsNamed(List.of(row))).trainRuns();
        } else {
            new S2nnExperiment(setup, etas, etas, lambda).run();
        }
    }
}
