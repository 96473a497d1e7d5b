package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.graph.Layer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A sign convolution's step started from an earlier step's sums ({@link EarlierSteps}): which step
 * it starts from, and that the executor that does so gives the reference executor's logits.
 */
class EarlierStepsTest {
    @TempDir
    Path dir;

    private static final float[] SUMS_A = {1, 2, 3, 4, 0};
    private static final float[] SUMS_B = {5, 6, 7, 8, 0};

    private static void keep(EarlierSteps steps, float[] x, float[] sums) {
        System.arraycopy(sums, 0, steps.sums(), 0, sums.length);
        steps.finish(x, true);
    }

    @Test
    void aStepStartsFromTheEarlierStepItDiffersLeastFrom() {
        var steps = new EarlierSteps(6, 5);
        float[] a = {0, 1, 0, 2, 0, 3};
        float[] b = {4, 0, 5, 0, 6, 0};
        assertThat(steps.startFromEarlier(a, 3))
                .as("nothing to start from at step 0")
                .isFalse();
        keep(steps, a, SUMS_A);
        assertThat(steps.startFromEarlier(b, 3))
                .as("b differs from a in 6 places")
                .isFalse();
        keep(steps, b, SUMS_B);
        // Two back (a) differs in one place, one back (b) in five.
        float[] a2 = {0, 1, 0, 2, 0, 7};
        assertThat(steps.startFromEarlier(a2, 3)).isTrue();
        assertThat(steps.sums()).containsExactly(SUMS_A);
        assertThat(steps.change()).startsWith(0, 0, 0, 0, 0, 4);
        steps.finish(a2, true);
        // One back (a2) differs in one place, two back (b) in five.
        float[] a3 = {0, 1, 0, 2, 0, 3};
        System.arraycopy(SUMS_B, 0, steps.sums(), 0, 5);
        assertThat(steps.startFromEarlier(a3, 3)).isTrue();
        assertThat(steps.change()).startsWith(0, 0, 0, 0, 0, -4);
    }

    /**
     * A step started from two back adds to that step's sums in place; the step one back keeps its
     * own, so the next step can still start from it, and a step after that from the in-place one.
     */
    @Test
    void aStepStartedFromTheOldestTakesItsSumsOverAndKeepsTheOthers() {
        var steps = new EarlierSteps(4, 5);
        float[] a = {1, 0, 2, 0};
        float[] b = {0, 3, 0, 4};
        keep(steps, a, SUMS_A);
        keep(steps, b, SUMS_B);
        float[] a2 = {1, 0, 2, 5};
        assertThat(steps.startFromEarlier(a2, 3)).as("two back, one place").isTrue();
        float[] inPlace = steps.sums();
        assertThat(inPlace).containsExactly(SUMS_A);
        assertThat(steps.change()).startsWith(0, 0, 0, 5);
        float[] sumsA2 = {9, 9, 9, 9, 0};
        System.arraycopy(sumsA2, 0, inPlace, 0, 5);
        steps.finish(a2, true);
        assertThat(steps.sums()).as("the next step's slot is not a2's").isNotSameAs(inPlace);
        // One back is a2 (differs in 4 places), two back is b (differs in 1).
        float[] b2 = {0, 3, 0, 6};
        assertThat(steps.startFromEarlier(b2, 2)).isTrue();
        assertThat(steps.sums()).as("b's sums, kept").containsExactly(SUMS_B);
        assertThat(steps.change()).startsWith(0, 0, 0, 2);
        steps.finish(b2, true);
        // One back is b2 (4 places), two back a2 (no place): a2's sums, still there.
        assertThat(steps.startFromEarlier(a2, 3)).isTrue();
        assertThat(steps.sums()).containsExactly(sumsA2);
        assertThat(steps.change()).startsWith(0, 0, 0, 0);
        steps.finish(a2, true);
        // One back (a2 again) differs in one place, two back (b2) in four: a copy of a2's sums.
        float[] a3 = {1, 0, 2, 7};
        float[] before = steps.sums();
        assertThat(steps.startFromEarlier(a3, 3)).isTrue();
        assertThat(steps.sums()).isSameAs(before).containsExactly(sumsA2);
        assertThat(steps.change()).startsWith(0, 0, 0, 2);
    }

    @Test
    void aStepThatChangedAsMuchAsItIsNonZeroStartsFromNothing() {
        var steps = new EarlierSteps(4, 5);
        float[] a = {1, 2, 3, 4};
        keep(steps, a, SUMS_A);
        float[] sparse = {0, 0, 0, 9};
        assertThat(steps.startFromEarlier(sparse, 1))
                .as("4 places differ, 1 non-zero")
                .isFalse();
        float[] zeros = new float[4];
        assertThat(steps.startFromEarlier(zeros, 0)).isFalse();
    }

    @Test
    void unusableAndForgottenStepsAreNotStartedFrom() {
        var steps = new EarlierSteps(3, 5);
        float[] a = {1, 2, 3};
        steps.finish(a, false);
        assertThat(steps.startFromEarlier(a, 3)).as("its sums were not kept").isFalse();
        keep(steps, a, SUMS_A);
        assertThat(steps.startFromEarlier(a, 3)).isTrue();
        steps.reset();
        assertThat(steps.startFromEarlier(a, 3)).as("a new image").isFalse();
        keep(steps, a, SUMS_A);
        keep(steps, new float[] {7, 7, 7}, SUMS_B);
        keep(steps, new float[] {8, 8, 8}, SUMS_B);
        assertThat(steps.startFromEarlier(a, 3))
                .as("three steps back is too far")
                .isFalse();
    }

    /**
     * The whole network, its sign convolutions run at every step: on each path the logits equal the
     * reference executor's, and the event path did start steps from earlier ones (repeated input,
     * neurons firing at a period). Batches not a multiple of any vector width.
     */
    @ParameterizedTest(name = "{0}, T {1}, batch {2}")
    @CsvSource({"pooled, 3, 13", "pooled, 6, 7", "every kind, 5, 11", "every kind real, 4, 9"})
    void theExecutorStartingFromEarlierStepsGivesTheReferenceLogits(String model, int timeSteps, int batch) {
        TinyModels.Spec spec = switch (model) {
            case "pooled" -> TinyModels.pooledOddPlanes(8);
            case "every kind" -> TinyModels.everyKind(3, true);
            default -> TinyModels.everyKind(3, false);
        };
        spec.timeSteps = timeSteps;
        Model loaded = Model.load(TinyModels.write(dir, "m.safetensors", TinyModels.bytes(spec)));
        int imageSize = dev.spikebit.runtime.graph.Graph.count(loaded.graph().inputShape());
        float[] images = TinyModels.images(batch, 17, imageSize);
        float[] expected =
                ReferenceExecutor.run(loaded.graph(), images, batch, (image, index, layer, step, in, out) -> {});
        Plan plan = new Plan(loaded.graph());
        for (ExecutionPath path : ExecutionPath.values()) {
            var executor = new Executor(plan, path);
            float[] logits = new float[expected.length];
            for (int b = 0; b < batch; b++) {
                executor.run(images, b, logits);
            }
            assertThat(TinyModels.relativeError(expected, logits))
                    .as("path " + path)
                    .isLessThanOrEqualTo(1e-5);
            long started = 0;
            long events = 0;
            for (int i = 0; i < plan.layers.size(); i++) {
                if (plan.layers.get(i) instanceof Layer.SignConv) {
                    started += executor.changeRuns[i];
                    events += executor.eventRuns[i];
                }
            }
            assertThat(started)
                    .as("steps started from earlier ones, path " + path)
                    .isLessThanOrEqualTo(events);
            if (path == ExecutionPath.EVENTS) {
                assertThat(started).as("steps started from earlier ones").isPositive();
            }
        }
    }
}
