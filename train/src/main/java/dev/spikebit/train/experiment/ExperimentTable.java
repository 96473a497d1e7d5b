package dev.spikebit.train.experiment;

import dev.spikebit.core.io.AtomicFiles;
import dev.spikebit.runtime.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a comparison table as Markdown and JSON, with the paper's claims checked seed by seed
 * under it (figures are the {@link ExperimentListener}'s).
 */
final class ExperimentTable {
    private ExperimentTable() {}

    static String markdown(
            String title, Map<String, Object> setup, List<ExperimentRow> rows, List<PairedClaim> claims) {
        boolean validation =
                rows.stream().anyMatch(r -> !r.validationAccuracies().isEmpty());
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        setup.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("\n| row | spikes | weights | test accuracy (%) | per seed |")
                .append(validation ? " validation accuracy (%) |" : "")
                .append(" bits/weight | deployed bytes | firing rate | MACs/img | ACs/img | energy/img (nJ) |\n");
        md.append("|---|---|---|---|---|").append(validation ? "---|" : "").append("---|---|---|---|---|---|\n");
        for (ExperimentRow r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %.2f ± %.2f | %s |",
                    r.name(),
                    r.spikes(),
                    r.weights(),
                    100 * r.accuracyMean(),
                    100 * r.accuracyStd(),
                    perSeed(r.seeds(), r.accuracies())));
            if (validation) {
                md.append(
                        r.validationAccuracies().isEmpty()
                                ? " - |"
                                : String.format(
                                        Locale.ROOT,
                                        " %.2f (%s) |",
                                        100 * r.validationMean(),
                                        perSeed(r.seeds(), r.validationAccuracies())));
            }
            md.append(String.format(
                    Locale.ROOT,
                    " %.3f | %,d | %.3f | %,.0f | %,.0f | %.1f |%n",
                    r.bitsPerWeight(),
                    r.deployedBytes(),
                    r.firingRate(),
                    r.macs(),
                    r.acs(),
                    r.energyPj() / 1000));
        }
        md.append("\nAccuracy: mean ± sample standard deviation over seeds of the final-epoch test accuracy");
        if (validation) {
            md.append("; validation accuracy on the images held out of the training set, which chose every "
                    + "hyperparameter (the test set chose nothing)");
        }
        md.append(". Bits/weight, bytes, firing rate, operations and energy (4.6 pJ/MAC, 0.9 pJ/AC, docs/methods.md 4) "
                + "are those of the first seed's deployed model, counted from its activity on test images.\n");
        if (!claims.isEmpty()) {
            md.append("\n## Claims, paired by seed\n\n"
                    + "A claim is held when it holds in every seed that both rows have (test accuracy).\n\n");
            claims.forEach(c -> md.append(c.markdown()).append('\n'));
        }
        return md.toString();
    }

    /** {@code s1: 91.20, s2: 91.35} */
    private static String perSeed(List<Long> seeds, List<Double> accuracies) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < accuracies.size(); i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(i < seeds.size() ? "s" + seeds.get(i) + ": " : "")
                    .append(String.format(Locale.ROOT, "%.2f", 100 * accuracies.get(i)));
        }
        return s.toString();
    }

    static void write(
            Path dir,
            String name,
            String title,
            Map<String, Object> setup,
            List<ExperimentRow> rows,
            List<PairedClaim> claims,
            ExperimentListener listener) {
        AtomicFiles.writeString(dir.resolve(name + ".md"), markdown(title, setup, rows, claims));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", title);
        json.put("setup", setup);
        json.put("rows", rows.stream().map(ExperimentRow::json).toList());
        json.put(
                "claims",
                claims.stream()
                        .map(c -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("claim", c.claim());
                            m.put("held", c.held());
                            m.put("seeds", c.seeds());
                            m.put(
                                    "differences",
                                    c.differences().stream().map(Json::measured).toList());
                            return m;
                        })
                        .collect(Collectors.toList()));
        AtomicFiles.writeString(dir.resolve(name + ".json"), Json.writeIndented(json));
        listener.tableWritten(new ExperimentListener.Table(dir, name, title, rows));
    }
}
