package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Finds the folder of an event dataset. None of them can be downloaded automatically (they sit
 * behind Dropbox, Figshare and Box pages), so the folder is looked for, as for the other datasets:
 * when a {@code --data-dir} is given, in {@code <dir>/<name>} or {@code <dir>} and nowhere else;
 * otherwise in {@code $SPIKEBIT_DATA/<name>}, {@code $SPIKEBIT_DATA}, then
 * {@code ~/.cache/spikebit/<name>}.
 */
final class EventDataRoot {

    private EventDataRoot() {}

    /**
     * The first candidate folder that {@code looksRight}, or a {@link DataException} that lists
     * every place tried and says how to get the data.
     */
    static Path resolve(String dataset, String folderName, Path dataDir, Predicate<Path> looksRight, String howToGet) {
        return resolve(
                dataset,
                folderName,
                dataDir,
                looksRight,
                howToGet,
                System.getenv(),
                Path.of(System.getProperty("user.home")));
    }

    static Path resolve(
            String dataset,
            String folderName,
            Path dataDir,
            Predicate<Path> looksRight,
            String howToGet,
            Map<String, String> env,
            Path home) {
        List<Path> candidates = new ArrayList<>();
        if (dataDir != null) {
            candidates.add(dataDir.resolve(folderName));
            candidates.add(dataDir);
        } else {
            String shared = env.get("SPIKEBIT_DATA");
            if (shared != null && !shared.isBlank()) {
                candidates.add(Path.of(shared).resolve(folderName));
                candidates.add(Path.of(shared));
            }
            candidates.add(home.resolve(".cache").resolve("spikebit").resolve(folderName));
        }
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate) && looksRight.test(candidate)) {
                return candidate;
            }
        }
        StringBuilder message = new StringBuilder(dataset + " not found. Looked in:");
        for (Path candidate : candidates) {
            message.append("\n  ").append(candidate);
        }
        message.append("\n")
                .append(howToGet)
                .append("\nThen pass --data-dir <folder>, or put it at $SPIKEBIT_DATA/")
                .append(folderName)
                .append(" or ~/.cache/spikebit/")
                .append(folderName)
                .append('.');
        throw new DataException(message.toString());
    }
}
