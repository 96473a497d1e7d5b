package dev.spikebit.quant.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.quant.binary.QuantModels;
import org.junit.jupiter.api.Test;

/** The Larq-style summary of a training network (docs/methods.md 2: report which layers are binary). */
class ModelSummaryTest {

    @Test
    void listsEveryLayerWithItsShapeAndSaysWhichAreBinary() {
        var spec = ModelZoo.defaultSpec("fmnist-cnn").withWeights(WeightKind.BINARY);
        ModelSummary summary = ModelSummary.of(QuantModels.build(spec, 1));
        assertThat(summary.rows())
                .extracting(ModelSummary.Row::name)
                .containsExactly(
                        "stem.0", "stem.1", "stem.2", "body.0", "body.1", "body.2", "body.3", "body.4", "body.5",
                        "body.6", "body.7", "body.8", "body.9");
        assertThat(summary.rows())
                .filteredOn(ModelSummary.Row::binary)
                .extracting(ModelSummary.Row::name)
                .containsExactly("body.2", "body.7");
        assertThat(summary.rows().get(1).outputShape()).containsExactly(32, 28, 28);
        assertThat(summary.rows().get(5).outputShape()).containsExactly(64, 14, 14);
        assertThat(summary.rows().get(9).outputShape()).containsExactly(3136);
        assertThat(summary.rows().get(12).outputShape()).containsExactly(10);
        // 1-bit: 64 x 32 x 3 x 3 and 128 x 3136 signs. 32-bit: conv1 (288), BN (2 x 32, 2 x 64),
        // the amplitudes (64, 128), the hidden linear's bias (128), the last linear (1280 + 10).
        assertThat(summary.oneBitParams()).isEqualTo(64 * 288 + 128 * 3136);
        assertThat(summary.floatParams()).isEqualTo(288 + 64 + 128 + 64 + 128 + 128 + 1290);
        assertThat(summary.rows().get(1).weightBits()).isEqualTo(32);
        assertThat(summary.rows().get(5).weightBits()).isEqualTo(1);
        assertThat(summary.rows().get(6).weightBits()).isZero();
        assertThat(summary.memoryBytes()).isEqualTo((64 * 288 + 128 * 3136) / 8 + 4L * summary.floatParams());
        String table = summary.table();
        assertThat(table).contains("body.7", "BinaryLinear(3136->128)", "1 (binary)", "[64, 14, 14]");
    }

    @Test
    void summarisingLeavesTheModelAndItsModeAsTheyWere() {
        var model = QuantModels.build(ModelZoo.defaultSpec("fmnist-cnn").withWeights(WeightKind.BINARY), 1);
        var before = model.stateDict();
        float[] runningVar = before.get("body.3.running_var").data().clone();
        ModelSummary.of(model);
        assertThat(model.isTraining()).isTrue();
        assertThat(model.stateDict().get("body.3.running_var").data()).containsExactly(runningVar);
        model.eval();
        ModelSummary.of(model);
        assertThat(model.isTraining()).isFalse();
    }

    @Test
    void fullPrecisionModelHasNoBinaryLayer() {
        ModelSummary summary = ModelSummary.of(ModelZoo.build(ModelZoo.defaultSpec("fmnist-cnn"), 1));
        assertThat(summary.rows()).noneMatch(ModelSummary.Row::binary);
        assertThat(summary.oneBitParams()).isZero();
    }
}
