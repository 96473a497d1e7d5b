package dev.spikebit.train.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Claims checked seed by seed: held only in every paired seed, with a margin, over the seeds both rows have. */
class PairedClaimTest {
    private static ExperimentRow row(String name, List<Long> seeds, List<Double> accuracies) {
        return ExperimentRow.of(name, "binary", "binary", seeds, accuracies, List.of(), 1, 1, 0, 0, 0, 0, List.of());
    }

    @Test
    void heldOnlyWhenEverySeedAgrees() {
        ExperimentRow a = row("A", List.of(1L, 2L, 3L), List.of(0.91, 0.92, 0.90));
        ExperimentRow b = row("B", List.of(1L, 2L, 3L), List.of(0.90, 0.91, 0.905));
        PairedClaim claim = PairedClaim.of("A >= B", a, b, 0);
        assertThat(claim.seedsHeld()).isEqualTo(2);
        assertThat(claim.held()).isFalse();
        assertThat(claim.meanDifference()).isCloseTo(0.005, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(claim.markdown())
                .isEqualTo("- A >= B: **not held** in 2 of 3 seeds (A - B per seed [1, 2, 3]: +1.00 / +1.00 / -0.50 "
                        + "points, mean +0.50)");
        // within one point, the third seed's -0.5 is allowed
        assertThat(PairedClaim.of("A >= B - 1", a, b, 0.01).held()).isTrue();
    }

    @Test
    void pairsOnlyTheSeedsBothRowsHave() {
        ExperimentRow a = row("A", List.of(1L, 2L, 3L), List.of(0.80, 0.70, 0.90));
        ExperimentRow b = row("B", List.of(3L, 1L), List.of(0.85, 0.79));
        PairedClaim claim = PairedClaim.of("A >= B", a, b, 0);
        assertThat(claim.seeds()).containsExactly(1L, 3L);
        assertThat(claim.differences().get(0)).isCloseTo(0.01, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(claim.differences().get(1)).isCloseTo(0.05, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(claim.held()).isTrue();
        PairedClaim none = PairedClaim.of("A >= C", a, row("C", List.of(9L), List.of(0.5)), 0);
        assertThat(none.held()).isFalse();
        assertThat(none.markdown()).isEqualTo("- A >= C: **not tested** (no seed has both rows)");
    }
}
