package dev.spikebit.train.experiment;

import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.runtime.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a comparison table as Markdown and JSON (figures are the {@link ExperimentListener}'s). */
final class ExperimentTable {
    private ExperimentTable() {}

    static String markdown(String title, Map<String, Object> setup, List<ExperimentRow> rows) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        setup.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("\n| row | spikes | weights | test accuracy (%) | seeds | bits/weight | deployed bytes | firing rate "
                + "| MACs/img | ACs/img | energy/img (nJ) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ExperimentRow r : rows) {
            md.append(String.format(
                    "| %s | %s | %s | %.2f ± %.2f | %d | %.3f | %,d | %.3f | %,.0f | %,.0f | %.1f |%n",
                    r.name(),
                    r.spikes(),
                    r.weights(),
                    100 * r.accuracyMean(),
                    100 * r.accuracyStd(),
                    r.accuracies().size(),
                    r.bitsPerWeight(),
                    r.deployedBytes(),
                    r.firingRate(),
                    r.macs(),
                    r.acs(),
                    r.energyPj() / 1000));
        }
        md.append("\nAccuracy: mean ± sample standard deviation over seeds of the final-epoch test accuracy. "
                + "Bits/weight, bytes, firing rate, operations and energy (4.6 pJ/MAC, 0.9 pJ/AC, docs/methods.md 4) "
                + "are those of the first seed's deployed model, counted from its activity on test images.\n");
        return md.toString();
    }

    static void write(
            Path dir,
            String name,
            String title,
            Map<String, Object> setup,
            List<ExperimentRow> rows,
            ExperimentListener listener) {
        AtomicFiles.writeString(dir.resolve(name + ".md"), markdown(title, setup, rows));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", title);
        json.put("setup", setup);
        json.put("rows", rows.stream().map(ExperimentRow::json).toList());
        AtomicFiles.writeString(dir.resolve(name + ".json"), Json.writeIndented(json));
        listener.tableWritten(new ExperimentListener.Table(dir, name, title, rows));
    }
}
