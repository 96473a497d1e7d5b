package dev.spikebit.train.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A paper's claim that one row is at least as accurate as another, less a margin ({@code A >= B -
 * margin}), checked seed by seed: the two rows' test accuracies are paired by seed (the runs of a
 * seed share their initialisation and, for sub-bit rows, the binary network they start from), and
 * the claim holds only when it holds in every seed both rows have.
 *
 * @param claim       the claim in words, e.g. "+OS-Quant >= baseline (eta 4)"
 * @param a           the row that should be at least as good
 * @param b           the row it is compared with
 * @param margin      how far below {@code b} the row {@code a} may be (0.01 for "within 1 point")
 * @param seeds       the seeds both rows have
 * @param differences {@code a - b} per seed, in accuracy (0..1)
 */
public record PairedClaim(String claim, String a, String b, double margin, List<Long> seeds, List<Double> differences) {
    public PairedClaim {
        seeds = List.copyOf(seeds);
        differences = List.copyOf(differences);
    }

    /** Pairs the runs of {@code a} and {@code b} by seed. */
    public static PairedClaim of(String claim, ExperimentRow a, ExperimentRow b, double margin) {
        List<Long> seeds = new ArrayList<>();
        List<Double> differences = new ArrayList<>();
        for (long seed : a.seeds()) {
            double other = b.accuracyOfSeed(seed);
            if (!Double.isNaN(other)) {
                seeds.add(seed);
                differences.add(a.accuracyOfSeed(seed) - other);
            }
        }
        return new PairedClaim(claim, a.name(), b.name(), margin, seeds, differences);
    }

    /** The seeds where {@code a >= b - margin}. */
    public long seedsHeld() {
        return differences.stream().filter(d -> d >= -margin).count();
    }

    /** Whether the claim holds in every paired seed (and there is at least one). */
    public boolean held() {
        return !seeds.isEmpty() && seedsHeld() == seeds.size();
    }

    /** The mean difference {@code a - b} over the paired seeds. */
    public double meanDifference() {
        return differences.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** One Markdown line: the verdict, the seeds it held in, the differences in points and their mean. */
    public String markdown() {
        if (seeds.isEmpty()) {
            return "- " + claim + ": **not tested** (no seed has both rows)";
        }
        String perSeed = differences.stream()
                .map(d -> String.format(Locale.ROOT, "%+.2f", 100 * d))
                .collect(Collectors.joining(" / "));
        return String.format(
                Locale.ROOT,
                "- %s: **%s** in %d of %d seeds (%s - %s per seed %s: %s points, mean %+.2f)",
                claim,
                held() ? "held" : "not held",
                seedsHeld(),
                seeds.size(),
                a,
                b,
                seeds,
                perSeed,
                100 * meanDifference());
    }
}
