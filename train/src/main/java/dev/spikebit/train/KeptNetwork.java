package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The final weights of a finished run, kept beside its {@link RunRecord} as {@value #FILE}: the
 * model state without the optimizer's, a third of {@code last.safetensors}. An experiment keeps it
 * for the networks that other rows start from or distil from (S2NN's FP, binary and ReverB
 * networks), and it is committed with the record, so that a later session fine-tunes from this
 * very network. Without it the network would have to be trained again, which repeats the record
 * bit for bit only on the same kind of machine (docs/reproducibility.md), and costs hours.
 *
 * <p>The file names the run it belongs to: the run's {@code run.txt} and its final epoch's
 * training loss, bit for bit. A file whose names do not match the record beside it is refused with
 * its path, never loaded into a row it does not belong to.
 */
public final class KeptNetwork {
    /** The file's name in a run's directory. */
    public static final String FILE = "network.safetensors";

    private static final String RUN_KEY = "spikebit.kept.run";
    private static final String EPOCHS_KEY = "spikebit.kept.epochs";
    private static final String TRAIN_LOSS_KEY = "spikebit.kept.final_train_loss";

    private KeptNetwork() {}

    /**
     * Writes the finished run's network into {@code dir}, unless a file of this very run is there.
     *
     * @param history every epoch of the run, the last one being the network's
     */
    public static void keep(Path dir, TrainConfig config, SpikingClassifier network, List<EpochMetrics> history) {
        Path file = dir.resolve(FILE);
        Map<String, String> names = names(dir, history);
        if (Files.isRegularFile(file) && names.equals(namesIn(Checkpoint.load(file)))) {
            return;
        }
        Checkpoint.save(file, config.spec(), network, null, names);
    }

    /**
     * Restores the network kept in {@code dir} into {@code fresh} (a network of the run's model,
     * which it returns in evaluation mode), or returns null when {@code dir} keeps none.
     *
     * @param recorded the epochs of the run's record
     * @throws SpikebitException naming the file when it is not the network of the record beside it
     */
    public static SpikingClassifier restore(Path dir, List<EpochMetrics> recorded, SpikingClassifier fresh) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Checkpoint kept = Checkpoint.load(file);
        Map<String, String> expected = names(dir, recorded);
        Map<String, String> found = namesIn(kept);
        if (!expected.equals(found)) {
            String differs = expected.keySet().stream()
                    .filter(k -> !expected.get(k).equals(found.get(k)))
                    .findFirst()
                    .orElseThrow();
            throw new SpikebitException(file + ": not the network of the record beside it (its " + differs
                    + " differs from the one of " + ResumableRun.STAMP_FILE + " and " + MetricsFile.NAME
                    + "); delete it to train the network again");
        }
        kept.restoreModel(fresh);
        fresh.eval();
        return fresh;
    }

    /** What names a run's network: its {@code run.txt}, its epochs and the final training loss. */
    private static Map<String, String> names(Path dir, List<EpochMetrics> history) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put(RUN_KEY, ResumableRun.readStamp(dir));
        names.put(EPOCHS_KEY, Integer.toString(history.size()));
        names.put(TRAIN_LOSS_KEY, Double.toString(history.getLast().trainLoss()));
        return names;
    }

    private static Map<String, String> namesIn(Checkpoint kept) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String key : List.of(RUN_KEY, EPOCHS_KEY, TRAIN_LOSS_KEY)) {
            names.put(key, kept.info(key, ""));
        }
        return names;
    }
}
