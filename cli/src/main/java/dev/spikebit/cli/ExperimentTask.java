package dev.spikebit.cli;

import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.train.TrainingListener;
import dev.spikebit.train.experiment.ExperimentSetup;
import dev.spikebit.train.experiment.ReverbExperiment;
import dev.spikebit.train.experiment.S2nnExperiment;
import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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
 * @param out          the shared output directory: an absolute path (executors run in folders of their
 *                     own) or a Hadoop filesystem URI
 * @param measure      whether this is the table's first seed, whose runs are deployed and measured
 *                     for the table (in the task, so the rows are measured in parallel; the driver
 *                     reads the measurements from the run folders)
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
        String out,
        boolean measure)
        implements ClusterBackend.Task {
    /** The data the last task on this JVM loaded: an executor's later tasks of the same experiment share it. */
    private static SoftReference<Loaded> lastLoaded = new SoftReference<>(null);

    private record Loaded(String dataDir, int trainLimit, int testLimit, DatasetChoice data) {}

    @Override
    public String name() {
        return experiment + " " + (experiment.equals("reverb") ? row + " " : "") + "seed " + seed;
    }

    /** Run directories end in the seed ({@code ExperimentSetup}): a task works in its seed's. */
    @Override
    public boolean uses(String folder) {
        return folder.endsWith("-seed" + seed);
    }

    @Override
    public void run(Path dir, Runnable checkpointed) throws Exception {
        DatasetChoice data = data();
        boolean s2nn = !experiment.equals("reverb");
        // the same setup and listener as on one machine, so that every run folder gets the same files
        TrainingListener saving = new TrainingListener() {
            @Override
            public void epochFinished(EpochEnd end) {
                checkpointed.run();
            }
        };
        ExperimentSetup setup = ExperimentCommand.setup(
                model, data, validation, augment, List.of(seed), epochs, lr, dir, s2nn, measureImages, saving);
        if (!s2nn) {
            new ReverbExperiment(setup, ReverbExperiment.rowsNamed(List.of(row))).trainRuns(measure);
        } else {
            new S2nnExperiment(setup, plan).trainRuns(measure);
        }
    }

    /** The experiment's data, loaded once per JVM (the samples are only read, so tasks may share them). */
    private DatasetChoice data() {
        synchronized (ExperimentTask.class) {
            Loaded last = lastLoaded.get();
            if (last == null
                    || !Objects.equals(last.dataDir(), dataDir)
                    || last.trainLimit() != trainLimit
                    || last.testLimit() != testLimit) {
                DatasetChoice loaded = DatasetChoice.load(
                        DatasetName.FASHION_MNIST, dataDir == null ? null : Path.of(dataDir), trainLimit, testLimit);
                last = new Loaded(dataDir, trainLimit, testLimit, loaded);
                lastLoaded = new SoftReference<>(last);
            }
            return last.data();
        }
    }
}
