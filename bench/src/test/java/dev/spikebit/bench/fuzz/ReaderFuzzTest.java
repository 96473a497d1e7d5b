package dev.spikebit.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

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

    @BeforeAll
    static void workDir() throws IOException {
        work = Files.createTempDirectory("spikebit-fuzz-test");
    }

    @AfterAll
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

    @Test
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
    @Test
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

    /**
     * {@value #TRIES} mutations per reader, drawn from a generator seeded by the reader's name, so
     * that every run checks the same inputs and a failure names the mutation seed that reproduces it.
     */
    @TestFactory
    Stream<DynamicTest> mutationsEndInAcceptanceOrTheReadersOwnError() {
        return FuzzTargets.ALL.stream()
                .map(t -> dynamicTest(t.name(), () -> {
                    var seeds = new SplittableRandom(t.name().hashCode());
                    for (int i = 0; i < TRIES; i++) {
                        check(t.name(), seeds.nextLong());
                    }
                }));
    }
}
