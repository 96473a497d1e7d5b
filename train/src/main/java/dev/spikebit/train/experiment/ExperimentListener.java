package dev.spikebit.train.experiment;

import dev.spikebit.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;

/**
 * What an experiment reports while it runs: every network's training (as a
 * {@link TrainingListener}) and the comparison table each time it grows, after the table was
 * written as Markdown and JSON. A caller draws figures or prints progress from here.
 */
public interface ExperimentListener extends TrainingListener {
    /**
     * A table just written.
     *
     * @param dir   the experiment's directory, which holds {@code name.md} and {@code name.json}
     * @param name  the table's file name without extension, e.g. {@code reverb-table}
     * @param title the table's title
     * @param rows  the rows trained so far, in table order
     */
    record Table(Path dir, String name, String title, List<ExperimentRow> rows) {
        public Table {
            rows = List.copyOf(rows);
        }
    }

    /** Nothing: an experiment nobody watches. */
    ExperimentListener NONE = new ExperimentListener() {};

    /** The table grew by a row (or a seed) and was written. */
    default void tableWritten(Table table) {}
}
