package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.Evaluation;
import dev.spikebit.train.Trainer;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Predicate;

/**
 * The work the commands hand to a cluster when {@code --spark} is given. The {@code spark} module
 * implements it; the cli finds it through {@link ServiceLoader} and never names a Spark class, so a
 * command without {@code --spark} loads no Spark code (the launcher puts the Spark jars on the
 * class path only for {@code --spark}).
 */
public interface ClusterBackend {
    /**
     * A unit of work that runs on an executor: serialized there and run once, or again after a
     * failure. It writes its files under a shared output folder, {@link #out()}: a local path every
     * executor sees, or a Hadoop filesystem URI, which the backend works on through a local copy of
     * the task's folders ({@link SharedFolder}).
     */
    interface Task extends Serializable {
        /** A short name for logs. */
        String name();

        /** The shared output folder as the user gave it: an absolute local path or a Hadoop filesystem URI. */
        String out();

        /**
         * Whether the task reads or writes the subfolder {@code folder} of {@link #out()} (one run's
         * directory): those are copied from a Hadoop filesystem before the task runs, so that a
         * retried task finds the checkpoints its earlier attempt saved.
         */
        boolean uses(String folder);

        /**
         * Does the work in {@code out}, the output folder or its local copy; must be safe to run
         * again after an interrupted attempt.
         *
         * @param checkpointed to call after each state that a retry should resume from (an epoch's
         *                     checkpoints): it saves the copy's new and changed files to the shared
         *                     folder
         */
        void run(Path out, Runnable checkpointed) throws Exception;
    }

    /**
     * Whether {@code out} names a folder of a Hadoop filesystem ({@code hdfs://...},
     * {@code s3a://...}, {@code file:///...}) rather than a local path.
     */
    static boolean isFilesystemUri(String out) {
        return out.matches("[A-Za-z][A-Za-z0-9+.-]+:/.*");
    }

    /**
     * A folder on a Hadoop filesystem, worked on through a local copy: commands write into {@link
     * #local()} as into any folder, and {@link #save()} copies the files that are new or changed
     * since the last copy to the shared folder, each under a temporary name then renamed, so a
     * reader there sees a whole file or the previous one.
     */
    interface SharedFolder extends AutoCloseable {
        /** The local copy. */
        Path local();

        /**
         * Copies the files of the shared folder into the local copy: those directly in it when
         * {@code folders} accepts the empty name, and those of each subfolder {@code folders} accepts.
         */
        void fetch(Predicate<String> folders);

        /** Copies the local copy's new and changed files to the shared folder. */
        void save();

        /** Saves, then deletes the local copy. */
        @Override
        void close();
    }

    /**
     * Opens the folder {@code uri} of a Hadoop filesystem (making it if needed) with an empty local
     * copy.
     *
     * @throws SpikebitException in one line when the URI's scheme has no filesystem or the folder
     *                           cannot be made or written
     */
    SharedFolder openShared(String uri);

    /**
     * Runs the deployed model {@code model} over {@code count} images ({@code pixels} holds them one
     * after the other) in batches of {@code batch}, the batches spread over the cluster, the model
     * sent once to every executor.
     *
     * @return one inference per batch, in image order, as {@code Model.infer} returns them
     */
    List<Inference> infer(String master, Path model, float[] pixels, int count, int batch, ExecutionPath path);

    /** Runs every task as one cluster task and returns when all have succeeded (failed ones are retried). */
    void runAll(String master, String jobName, List<? extends Task> tasks);

    /**
     * Data that is read through frame cache files ({@code CachedFrameDataset}): the backend builds
     * missing ones before the executors open the data, binning ranges of recordings on the executors
     * in parallel and writing the file on the driver from their blocks in order, so that no executor
     * bins a whole split by itself.
     */
    interface FrameCaches extends Serializable {
        /** The splits read through frame caches; none for static images. */
        default List<DatasetChoice.CachedSplit> cachedSplits() {
            return List.of();
        }
    }

    /**
     * Builds the missing frame caches of {@code caches} on the cluster ({@link FrameCaches}); returns
     * once every one is in place.
     */
    void binFrames(String master, FrameCaches caches);

    /** A split of a dataset, loaded on each executor from a description of it (sent there serialized). */
    interface DataSplit extends FrameCaches {
        /** The samples; loaded once per executor and shared by its tasks. */
        Dataset load();
    }

    /**
     * Scores the checkpoint {@code checkpoint} on {@code data}, cut into partitions of whole
     * batches of {@code batch} that the executors evaluate (each loads the data and the broadcast
     * checkpoint once): the predictions of every sample in order, as {@link Evaluation#score} on one
     * machine gives them. Missing frame caches of {@code data} are built first, in parallel
     * ({@link #binFrames}).
     */
    Evaluation.Scores evaluate(String master, Path checkpoint, DataSplit data, int batch);

    /**
     * What a data-parallel replica trains with, built on each executor (sent there serialized, so
     * it carries a description of the run rather than the run's objects).
     */
    interface Replicas extends FrameCaches {
        /** The data, loaded once per executor and shared by the replicas there. */
        DatasetChoice data();

        /**
         * A new replica: a trainer over {@code data}'s training set with a model and optimizer of
         * the run's configuration (their values are replaced by the shared ones before every
         * round); its {@link Trainer#trainingLoader()} gives the run's global batches, of which each
         * worker takes its share. It never evaluates or writes anything.
         */
        Trainer replica(DatasetChoice data);
    }

    /**
     * How data-parallel training splits the work.
     *
     * @param workers       replicas, each training on 1/workers of every global batch
     * @param syncEvery     optimizer steps each replica takes between two averagings
     * @param stepsPerEpoch global batches in an epoch (the loader's batches per epoch)
     */
    record DataParallel(int workers, int syncEvery, int stepsPerEpoch) {
        /**
         * The checkpoint metadata key under which data-parallel training records its workers and
         * steps between averagings ({@link #recorded}), which a resumed run must use again.
         */
        public static final String CHECKPOINT_KEY = "data_parallel";

        /** The workers and steps between averagings as the checkpoints record them. */
        public String recorded() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("workers", workers);
            json.put("sync_every", syncEvery);
            return Json.write(json);
        }
    }

    /**
     * Runs {@code trainer}'s remaining epochs data-parallel: every round, each of the workers
     * trains a replica for {@code syncEvery} steps on its share of the global batches from the
     * shared parameters, buffers and optimizer state, and the driver averages them into
     * {@code trainer}'s model and optimizer; after each epoch {@code trainer} evaluates and
     * checkpoints as on one machine.
     *
     * @return the metrics of all epochs, as {@link Trainer#run()} returns them
     */
    List<EpochMetrics> trainDataParallel(String master, Trainer trainer, Replicas replicas, DataParallel plan);

    /**
     * The backend on the class path.
     *
     * @throws SpikebitException when there is none (spikebit was started without the spark module)
     */
    static ClusterBackend load() {
        return ServiceLoader.load(ClusterBackend.class)
                .findFirst()
                .orElseThrow(() -> new SpikebitException("--spark: the spark module is not on the class path; "
                        + "run through the ./spikebit launcher, which adds it when --spark is given"));
    }
}
