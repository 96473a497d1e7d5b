package dev.spikebit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.graph.Layer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which kernel {@link ExecutionPath#AUTO} runs for each step of a sign layer: the event-driven one
 * below the layer's crossover density, which is higher for a convolution whose output stays
 * position-major (its dense path pays a transposition), the dense one at or above it. The input
 * densities are taken from the reference executor, step by step.
 */
class PathChoiceTest {
    @TempDir
    Path dir;

    /**
     * Neurons with one value per channel (after a fully connected layer) run with the channels as
     * vector lanes, and only they among the channel-major neuron layers; the executors' agreement
     * with the reference on these networks (EarlierStepsTest, ModelTest) then covers that kernel.
     */
    @Test
    void neuronsWithOneValuePerChannelRunTheChannelsAsLanes() {
        Plan pooled = new Plan(load("pooled", TinyModels.pooledOddPlanes(8)).graph());
        Plan every = new Plan(load("every", TinyModels.everyKind(3, false)).graph());
        int perChannel = 0;
        for (Plan plan : new Plan[] {pooled, every}) {
            for (int i = 0; i < plan.layers.size(); i++) {
                if (plan.layers.get(i) instanceof Layer.Neuron n && plan.pixelPitch[i] == 0) {
                    boolean oneValue = plan.inSizes[i] == n.channels();
                    assertThat(plan.neuronConstants[i] != null).as(n.name()).isEqualTo(oneValue);
                    perChannel += oneValue ? 1 : 0;
                }
            }
        }
        assertThat(perChannel)
                .as("the test networks have neurons after a linear layer")
                .isEqualTo(2);
    }

    @Test
    void aPositionMajorConvolutionHasTheHigherCrossover() {
        Plan pooled = new Plan(load("pooled", TinyModels.pooledOddPlanes(8)).graph());
        Plan every = new Plan(load("every", TinyModels.everyKind(3, false)).graph());
        int positionMajor = 0;
        for (Plan plan : new Plan[] {pooled, every}) {
            for (int i = 0; i < plan.layers.size(); i++) {
                Layer layer = plan.layers.get(i);
                if (layer instanceof Layer.SignConv) {
                    double expected = plan.pixelPitch[i] > 0 ? Plan.EVENTS_BELOW_CONV_PIXELS : Plan.EVENTS_BELOW_CONV;
                    assertThat(plan.eventsBelow(i)).as(layer.name()).isEqualTo(expected);
                    positionMajor += plan.pixelPitch[i] > 0 ? 1 : 0;
                } else if (layer instanceof Layer.SignLinear) {
                    assertThat(plan.eventsBelow(i)).as(layer.name()).isEqualTo(Plan.EVENTS_BELOW_LINEAR);
                }
            }
        }
        assertThat(positionMajor)
                .as("the test networks have a position-major convolution")
                .isPositive();
        assertThat(Plan.EVENTS_BELOW_CONV_PIXELS).isGreaterThan(Plan.EVENTS_BELOW_CONV);
    }

    @Test
    void autoRunsEachStepOnTheKernelItsDensitySelects() {
        // Inputs scaled so that the position-major convolution's input densities straddle both crossovers.
        long[] between = {0};
        for (float brightness : new float[] {0.6f, 1f, 1.6f}) {
            Model model = load("pooled", TinyModels.pooledOddPlanes(8));
            Plan plan = new Plan(model.graph());
            int batch = 24;
            float[] x = TinyModels.images(batch, 11, 2 * 7 * 9);
            for (int i = 0; i < x.length; i++) {
                x[i] *= brightness;
            }
            Map<String, long[]> expected = new HashMap<>(); // layer -> {event steps, dense steps}
            ReferenceExecutor.run(model.graph(), x, batch, (image, index, layer, step, in, out) -> {
                if (plan.hasEventPath(index)) {
                    int nonZeros = 0;
                    for (float v : in) {
                        nonZeros += v != 0f ? 1 : 0;
                    }
                    boolean events = nonZeros < plan.eventsBelow(index) * in.length;
                    if (plan.pixelPitch[index] > 0
                            && nonZeros >= Plan.EVENTS_BELOW_CONV * in.length
                            && nonZeros < Plan.EVENTS_BELOW_CONV_PIXELS * in.length) {
                        between[0]++;
                    }
                    expected.computeIfAbsent(layer.name(), k -> new long[2])[events ? 0 : 1]++;
                }
            });
            Inference run = model.infer(x, batch, ExecutionPath.AUTO);
            for (LayerStats s : run.layers()) {
                long[] counts = expected.get(s.name());
                if (counts != null) {
                    assertThat(new long[] {s.eventRuns(), s.denseRuns()})
                            .as(s.name() + " at brightness " + brightness)
                            .containsExactly(counts);
                }
            }
        }
        assertThat(between[0])
                .as("steps whose density lies between the two crossovers (events only when position-major)")
                .isPositive();
    }

    private Model load(String name, TinyModels.Spec spec) {
        return Model.load(TinyModels.write(dir, name + ".safetensors", TinyModels.bytes(spec)));
    }
}
