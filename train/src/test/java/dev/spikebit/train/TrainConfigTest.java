package dev.spikebit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.optim.ScheduleSpec;
import org.junit.jupiter.api.Test;

/** The builder's defaults, and the JSON checkpoints hold: names for the optimizer and the loss, as before. */
class TrainConfigTest {
    private static final ModelSpec SPEC = ModelZoo.defaultSpec("fmnist-cnn");

    @Test
    void theBuilderStartsFromTheDefaultsOfTheTrainCommand() {
        TrainConfig c = TrainConfig.builder(SPEC).build();
        assertThat(c)
                .isEqualTo(new TrainConfig(
                        SPEC,
                        5,
                        64,
                        TrainConfig.Optimizer.ADAM,
                        1e-3f,
                        0f,
                        0.9f,
                        ScheduleSpec.COSINE,
                        TrainConfig.Loss.CE,
                        false,
                        1,
                        0,
                        0,
                        0));
        assertThat(c.validated(TrainConfig.Naming.OPTIONS)).isSameAs(c);
        TrainConfig other = c.toBuilder().epochs(9).loss(TrainConfig.Loss.TET).build();
        assertThat(other.epochs()).isEqualTo(9);
        assertThat(other.loss()).isEqualTo(TrainConfig.Loss.TET);
        assertThat(other.withEpochs(5).withSpec(SPEC).toBuilder()
                        .loss(TrainConfig.Loss.CE)
                        .build())
                .isEqualTo(c);
    }

    @Test
    void aValidationSplitIsKeptAndAbsentWhenUnused() {
        TrainConfig held = TrainConfig.builder(SPEC).validation(5000).build();
        assertThat(TrainConfig.fromJson(held.toJson())).isEqualTo(held);
        // runs without one are stamped as before the field existed, so they are still reused
        assertThat(TrainConfig.builder(SPEC).build().toJson()).doesNotContain("validation");
        assertThatThrownBy(
                        () -> TrainConfig.builder(SPEC).validation(-1).build().validated(TrainConfig.Naming.OPTIONS))
                .hasMessage("--validation must be >= 0 (0 = none), got -1");
    }

    @Test
    void theScheduleIsAKindWithItsParametersAndReadsBackByName() {
        assertThat(ScheduleSpec.parse("step:100:0.5")).isEqualTo(new ScheduleSpec.Step(100, 0.5f));
        assertThat(ScheduleSpec.parse("constant")).isEqualTo(ScheduleSpec.CONSTANT);
        assertThat(ScheduleSpec.parse("cosine")).isEqualTo(ScheduleSpec.COSINE);
        assertThat(new ScheduleSpec.Step(100, 0.5f).id()).isEqualTo("step:100:0.5");
        assertThat(ScheduleSpec.parse("step:100:.25").over(1f, 1000).lr(250)).isEqualTo(0.25f * 0.25f);
        for (String bad : new String[] {"linear", "cosine:3", "step:0:0.5", "step:10:1.5", "step:x:0.5"}) {
            String json = TrainConfig.builder(SPEC).build().toJson().replace("\"cosine\"", "\"" + bad + "\"");
            assertThatThrownBy(() -> TrainConfig.fromJson(json))
                    .isInstanceOf(SpikebitException.class)
                    .hasMessageStartingWith("train_config.schedule: ")
                    .hasMessageContaining(bad)
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> TrainConfig.Naming.OPTIONS.schedule(bad)).hasMessageStartingWith("--schedule: ");
        }
    }

    @Test
    void checkpointsKeepTheNamesOfOptimizerAndLoss() {
        TrainConfig c = TrainConfig.builder(SPEC)
                .optimizer(TrainConfig.Optimizer.NESTEROV)
                .loss(TrainConfig.Loss.TET)
                .schedule("step:100:0.5")
                .build();
        String json = c.toJson();
        assertThat(json)
                .contains("\"optimizer\":\"nesterov\"")
                .contains("\"loss\":\"tet\"")
                .contains("\"schedule\":\"step:100:0.5\"");
        assertThat(TrainConfig.fromJson(json)).isEqualTo(c);
        // A configuration as older versions wrote it, field by field.
        String old = json.replace("\"nesterov\"", "\"adamw\"").replace("\"tet\"", "\"ce\"");
        TrainConfig read = TrainConfig.fromJson(old);
        assertThat(read.optimizer()).isEqualTo(TrainConfig.Optimizer.ADAMW);
        assertThat(read.loss()).isEqualTo(TrainConfig.Loss.CE);
    }

    @Test
    void unknownNamesAreRefusedNamingTheKnownOnes() {
        assertThat(TrainConfig.Naming.OPTIONS.optimizer("sgd")).isEqualTo(TrainConfig.Optimizer.SGD);
        assertThatThrownBy(() -> TrainConfig.Naming.OPTIONS.optimizer("rmsprop"))
                .isInstanceOf(SpikebitException.class)
                .hasMessage("--optimizer must be one of adam, adamw, sgd, nesterov, got \"rmsprop\"");
        assertThatThrownBy(() -> TrainConfig.Naming.FIELDS.loss("mse"))
                .isInstanceOf(SpikebitException.class)
                .hasMessage("train_config.loss must be one of ce, tet, got \"mse\"");
    }
}
