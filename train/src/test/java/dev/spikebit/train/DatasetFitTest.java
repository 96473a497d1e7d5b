package dev.spikebit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.TwoSamples;
import org.junit.jupiter.api.Test;

/** Fitting a model to a dataset's input: channels, size, classes and, for event data, T. */
class DatasetFitTest {

    @Test
    void staticImagesSetChannelsSizeAndClasses() {
        var cifar100 = new DatasetChoice(
                DatasetName.CIFAR100,
                TwoSamples.images("c/train", 100, 3, 32, 32),
                TwoSamples.images("c/test", 100, 3, 32, 32));
        ModelSpec given = ModelZoo.defaultSpec("resnet19")
                .withSpikes(SpikeKind.REAL)
                .withWeights(WeightKind.BINARY)
                .withBinaryEdges(true)
                .withTimeSteps(6);
        ModelSpec spec = DatasetFit.fit(cifar100, given);
        assertThat(spec.inChannels()).isEqualTo(3);
        assertThat(spec.inSize()).isEqualTo(32);
        assertThat(spec.numClasses()).isEqualTo(100);
        // Everything else is kept.
        assertThat(spec.spikes()).isEqualTo(SpikeKind.REAL);
        assertThat(spec.weights()).isEqualTo(WeightKind.BINARY);
        assertThat(spec.binaryEdges()).isTrue();
        assertThat(spec.timeSteps()).isEqualTo(6);
        assertThat(spec.surrogate()).isEqualTo(given.surrogate());
        assertThat(cifar100.isEvents()).isFalse();
    }

    @Test
    void eventFramesMustHaveTheModelsTimeSteps() {
        var gesture = new DatasetChoice(
                DatasetName.DVS_GESTURE,
                TwoSamples.frames("g/train", 4, 11, 48),
                TwoSamples.frames("g/test", 4, 11, 48));
        ModelSpec vgg = ModelZoo.defaultSpec("vggsnn").withTimeSteps(4);
        ModelSpec fitted = DatasetFit.fit(gesture, vgg);
        assertThat(fitted.inChannels()).isEqualTo(2);
        assertThat(fitted.inSize()).isEqualTo(48);
        assertThat(fitted.numClasses()).isEqualTo(11);
        assertThatThrownBy(() -> DatasetFit.fit(gesture, vgg.withTimeSteps(10)))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("binned into 4 frames")
                .hasMessageContaining("T = 10");
    }

    @Test
    void aCheckpointsSpecMustTakeTheData() {
        var cifar = new DatasetChoice(
                DatasetName.CIFAR10,
                TwoSamples.images("c/train", 10, 3, 32, 32),
                TwoSamples.images("c/test", 10, 3, 32, 32));
        DatasetFit.requireFits(cifar, ModelZoo.defaultSpec("resnet20"));
        assertThatThrownBy(() -> DatasetFit.requireFits(cifar, ModelZoo.defaultSpec("fmnist-cnn")))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("takes 1x28x28 input with 10 classes; cifar10 has 3x32x32");
    }
}
