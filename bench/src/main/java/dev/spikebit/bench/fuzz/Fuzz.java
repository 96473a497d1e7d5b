package dev.spikebit.bench.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code bench/fuzz READER --minutes N [--executions E] [--seed S] [--corpus DIR] [--findings DIR]}:
 * fuzzes one reader for N minutes (or E executions, whichever comes first) with mutations of its seed files, and prints the executions, how many
 * files the reader accepted and refused, the largest allocation, and every failure (saved under
 * the findings folder to replay). Exit code 1 when anything failed.
 */
public final class Fuzz {
    private Fuzz() {}

    /** The seed files of a target: every file in {@code corpus/NAME}. */
    public static List<byte[]> seeds(Path corpus, String name) throws IOException {
        Path dir = corpus.resolve(name);
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(file));
            }
        }
        if (seeds.isEmpty()) {
            throw new IOException(dir + ": no seed files");
        }
        return seeds;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println(
                    "usage: bench/fuzz READER --minutes N [--executions E] [--seed S] [--corpus DIR] [--findings DIR]; "
                            + "readers: "
                            + String.join(
                                    ", ",
                                    FuzzTargets.ALL.stream()
                                            .map(FuzzTarget::name)
                                            .toList()));
            System.exit(2);
        }
        FuzzTarget target = FuzzTargets.named(args[0]);
        double minutes = 1;
        long maxExecutions = Long.MAX_VALUE;
        long seed = System.nanoTime();
        Path corpus = Path.of("bench/fuzz-corpus");
        Path findings = Path.of("bench/target/fuzz-findings");
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[i + 1]);
                case "--executions" -> maxExecutions = Long.parseLong(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--corpus" -> corpus = Path.of(args[i + 1]);
                case "--findings" -> findings = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Mutator mutator = new Mutator(seeds(corpus, target.name()));
        Files.createDirectories(findings);
        Path work = Files.createTempDirectory("spikebit-fuzz-" + target.name());
        SplittableRandom random = new SplittableRandom(seed);
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        long limit = maxExecutions;
        Tally tally = new Tally(target.name(), findings, start);
        System.out.printf(
                "fuzzing %s for %.1f min%s, seed %d%n",
                target.name(), minutes, limit < Long.MAX_VALUE ? String.format(" or %,d executions", limit) : "", seed);
        try (FuzzRunner runner = new FuzzRunner(target, work, Duration.ofSeconds(10))) {
            runner.runAll(
                    () -> tally.executions < limit && System.nanoTime() < end ? mutator.next(random) : null,
                    tally::record);
        }
        long executions = tally.executions;
        long accepted = tally.accepted;
        long maxAllocated = tally.maxAllocated;
        Map<String, Integer> failures = tally.failures;
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%s: %,d executions in %.0f s (%,.0f/s), %,d accepted, %,d refused with the reader's error, "
                        + "largest allocation %,d bytes, %d distinct failures%n",
                target.name(),
                executions,
                seconds,
                executions / seconds,
                accepted,
                executions
                        - accepted
                        - failures.values().stream().mapToInt(Integer::intValue).sum(),
                maxAllocated,
                failures.size());
        failures.forEach((k, n) -> System.out.printf("  %,d x %s%n", n, k));
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** The counts of a run, kept by whichever thread reads; a finding is saved the first time it is seen. */
    private static final class Tally {
        private final String target;
        private final Path findings;
        private final long start;
        private long nextReport;
        long executions;
        long accepted;
        long maxAllocated;
        final Map<String, Integer> failures = new LinkedHashMap<>();

        Tally(String target, Path findings, long start) {
            this.target = target;
            this.findings = findings;
            this.start = start;
            this.nextReport = start + 60_000_000_000L;
        }

        synchronized void record(byte[] input, FuzzRunner.Outcome outcome) throws IOException {
            executions++;
            switch (outcome) {
                case FuzzRunner.Outcome.Accepted a -> {
                    accepted++;
                    maxAllocated = Math.max(maxAllocated, a.allocated());
                }
                case FuzzRunner.Outcome.Refused r -> maxAllocated = Math.max(maxAllocated, r.allocated());
                case FuzzRunner.Outcome.Failure f -> {
                    String key = f.kind() + ": " + f.detail();
                    int n = failures.merge(key, 1, Integer::sum);
                    if (n == 1) {
                        Path saved = findings.resolve(target + "-" + failures.size() + ".bin");
                        Files.write(saved, input);
                        System.out.printf("FAILURE %s (input saved to %s)%n", key, saved);
                    }
                }
            }
            long now = System.nanoTime();
            if (now > nextReport) {
                nextReport += 60_000_000_000L;
                System.out.printf(
                        "  %,d executions, %,.0f/s, %,d accepted, %d distinct failures%n",
                        executions, executions / ((now - start) / 1e9), accepted, failures.size());
            }
        }
    }
}
