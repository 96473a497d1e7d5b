package dev.spikebit.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The regression pass of every fuzz target: each seed of the committed corpus is read as valid,
 * and a fixed set of mutations of the seeds (the same every run) each ends in acceptance or the
 * reader's own one-line error, allocates no more than the file justifies and finishes within 10
 * seconds. {@code bench/fuzz READER --minutes N} runs the same targets for long.
 */
class ReaderFuzzTest {
    private static final Path CORPUS = Path.of("fuzz-corpus");
    private static final int TRIES = 300;
    private static Path work;

    @BeforeContainer
    static void workDir() throws IOException {
        work = Files.createTempDirectory("spikebit-fuzz-test");
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var files = Files.walk(work)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void check(String target, long seed) {
        FuzzTarget t = FuzzTargets.named(target);
        try (FuzzRunner runner = new FuzzRunner(t, Files.createTempDirectory(work, target), Duration.ofSeconds(10))) {
            byte[] input = new Mutator(Fuzz.seeds(CORPUS, target)).next(new SplittableRandom(seed));
            FuzzRunner.Outcome outcome = runner.run(input);
            assertThat(outcome)
                    .as("%s, mutation seed %d", target, seed)
                    .isNotInstanceOf(FuzzRunner.Outcome.Failure.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<Long> mutations() {
        return Arbitraries.longs();
    }

    @Example
    void everySeedIsAValidFile() throws IOException {
        for (FuzzTarget t : FuzzTargets.ALL) {
            try (FuzzRunner runner =
                    new FuzzRunner(t, Files.createTempDirectory(work, t.name()), Duration.ofSeconds(30))) {
                List<byte[]> seeds = Fuzz.seeds(CORPUS, t.name());
                for (byte[] seed : seeds) {
                    assertThat(runner.run(seed)).as(t.name()).isInstanceOf(FuzzRunner.Outcome.Accepted.class);
                }
            }
        }
    }

    /** Inputs that once failed a long run ({@code bench/fuzz-regressions/READER/}): they must stay fixed. */
    @Example
    void pastFindingsStayFixed() throws IOException {
        Path regressions = Path.of("fuzz-regressions");
        for (FuzzTarget t : FuzzTargets.ALL) {
            Path dir = regressions.resolve(t.name());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (FuzzRunner runner =
                    new FuzzRunner(t, Files.createTempDirectory(work, t.name()), Duration.ofSeconds(30))) {
                for (byte[] input : Fuzz.seeds(regressions, t.name())) {
                    assertThat(runner.run(input)).as(t.name()).isNotInstanceOf(FuzzRunner.Outcome.Failure.class);
                }
            }
        }
    }

    @Property(tries = TRIES, seed = "1")
    void idx(@ForAll("mutations") long seed) {
        check("idx", seed);
    }

    @Property(tries = TRIES, seed = "2")
    void cifar(@ForAll("mutations") long seed) {
        check("cifar", seed);
    }

    @Property(tries = TRIES, seed = "3")
    void targz(@ForAll("mutations") long seed) {
        check("targz", seed);
    }

    @Property(tries = TRIES, seed = "4")
    void atis(@ForAll("mutations") long seed) {
        check("atis", seed);
    }

    @Property(tries = TRIES, seed = "5")
    void aedat2(@ForAll("mutations") long seed) {
        check("aedat2", seed);
    }

    @Property(tries = TRIES, seed = "6")
    void aedat31(@ForAll("mutations") long seed) {
        check("aedat31", seed);
    }

    @Property(tries = TRIES, seed = "7")
    void gestureCsv(@ForAll("mutations") long seed) {
        check("gesture-csv", seed);
    }

    @Property(tries = TRIES, seed = "8")
    void png(@ForAll("mutations") long seed) {
        check("png", seed);
    }

    @Property(tries = TRIES, seed = "9")
    void checkpoint(@ForAll("mutations") long seed) {
        check("checkpoint", seed);
    }

    @Property(tries = TRIES, seed = "10")
    void deployed(@ForAll("mutations") long seed) {
        check("deployed", seed);
    }

    @Property(tries = TRIES, seed = "11")
    void resume(@ForAll("mutations") long seed) {
        check("resume", seed);
    }
}
