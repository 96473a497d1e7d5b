package dev.spikebit.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness judges a reader correctly: its own error is a refusal, anything else a failure, a
 * read that never ends is reported as a hang and the run goes on with the next input.
 */
class FuzzRunnerTest {
    /** Reads the first byte of the file and behaves as it says. */
    private static final FuzzTarget.Reader SCRIPTED = (file, scratch) -> {
        byte first = Files.readAllBytes(file)[0];
        switch (first) {
            case 1 -> Thread.sleep(Long.MAX_VALUE);
            case 2 -> throw new IllegalStateException("the reader's own error");
            case 3 -> throw new NullPointerException("a bug");
            case 4 -> throw new IllegalStateException("two\nlines");
            case 5 -> {
                // 72 MiB: over the allowance of a one-byte file (the base allowance is 64 MiB)
                long[] big = new long[9 << 20];
                big[first] = first;
            }
            default -> {}
        }
    };

    /**
     * Long enough that input 5's 72 MiB allocation (and the collection it may set off) finishes on
     * a loaded machine: at 500 ms a CI run with the modules built side by side called it a hang.
     */
    private static final Duration HANG = Duration.ofSeconds(3);

    private static final FuzzTarget TARGET =
            new FuzzTarget("scripted", "input.bin", List.of(IllegalStateException.class), 1, SCRIPTED);

    @Test
    void everyKindOfOutcomeIsToldApartAndAHangDoesNotStopTheRun(@TempDir Path work) throws IOException {
        Queue<byte[]> inputs = new ArrayDeque<>();
        for (int b : new int[] {0, 1, 2, 3, 4, 5, 0}) {
            inputs.add(new byte[] {(byte) b});
        }
        List<String> seen = new ArrayList<>();
        try (FuzzRunner runner = new FuzzRunner(TARGET, work, HANG)) {
            runner.runAll(inputs::poll, (input, outcome) -> seen.add(input[0] + " " + kind(outcome)));
        }
        assertThat(seen)
                .containsExactly(
                        "0 accepted",
                        "1 failure hang",
                        "2 refused",
                        "3 failure NullPointerException",
                        "4 failure message",
                        "5 failure allocation",
                        "0 accepted");
    }

    @Test
    void oneInputAtATimeGivesTheSameVerdicts(@TempDir Path work) throws IOException {
        try (FuzzRunner runner = new FuzzRunner(TARGET, work, HANG)) {
            assertThat(kind(runner.run(new byte[] {1}))).isEqualTo("failure hang");
            assertThat(kind(runner.run(new byte[] {2}))).isEqualTo("refused");
            assertThat(kind(runner.run(new byte[] {0}))).isEqualTo("accepted");
        }
    }

    private static String kind(FuzzRunner.Outcome outcome) {
        return switch (outcome) {
            case FuzzRunner.Outcome.Accepted a -> "accepted";
            case FuzzRunner.Outcome.Refused r -> "refused";
            case FuzzRunner.Outcome.Failure f -> "failure " + f.kind();
        };
    }
}
