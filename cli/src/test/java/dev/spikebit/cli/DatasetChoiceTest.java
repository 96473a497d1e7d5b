package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.data.ArrayDataset;
import dev.spikebit.data.augment.Compose;
import dev.spikebit.data.augment.RandomCrop;
import dev.spikebit.data.events.EventSampleSource;
import dev.spikebit.data.events.EventStream;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Fitting a model to a dataset's input, the augmentation by dataset, and subsets of recorded data. */
class DatasetChoiceTest {

    private static ArrayDataset images(String name, int classes, int... sampleShape) {
        int per = 1;
        for (int d : sampleShape) {
            per *= d;
        }
        return new ArrayDataset(name, new float[2 * per], new int[] {0, 1}, sampleShape, classes);
    }

    private static ArrayDataset frames(String name, int steps, int classes, int size) {
        int per = steps * 2 * size * size;
        return new ArrayDataset(
                name, new float[2 * per], new int[] {0, 1}, new int[] {steps, 2, size, size}, classes, steps);
    }

    @Test
    void staticImagesSetChannelsSizeAndClasses() {
        var cifar100 =
                new DatasetChoice("cifar100", images("c/train", 100, 3, 32, 32), images("c/test", 100, 3, 32, 32));
        ModelSpec given = ModelZoo.defaultSpec("resnet19")
                .withSpikes("real")
                .withWeights("binary")
                .withBinaryEdges(true)
                .withTimeSteps(6);
        ModelSpec spec = cifar100.fit(given);
        assertThat(spec.inChannels()).isEqualTo(3);
        assertThat(spec.inSize()).isEqualTo(32);
        assertThat(spec.numClasses()).isEqualTo(100);
        // Everything else is kept.
        assertThat(spec.spikes()).isEqualTo("real");
        assertThat(spec.weights()).isEqualTo("binary");
        assertThat(spec.binaryEdges()).isTrue();
        assertThat(spec.timeSteps()).isEqualTo(6);
        assertThat(spec.surrogate()).isEqualTo(given.surrogate());
        assertThat(cifar100.isEvents()).isFalse();
    }

    @Test
    void eventFramesMustHaveTheModelsTimeSteps() {
        var gesture = new DatasetChoice("dvs-gesture", frames("g/train", 4, 11, 48), frames("g/test", 4, 11, 48));
        ModelSpec vgg = ModelZoo.defaultSpec("vggsnn").withTimeSteps(4);
        ModelSpec fitted = gesture.fit(vgg);
        assertThat(fitted.inChannels()).isEqualTo(2);
        assertThat(fitted.inSize()).isEqualTo(48);
        assertThat(fitted.numClasses()).isEqualTo(11);
        assertThatThrownBy(() -> gesture.fit(vgg.withTimeSteps(10)))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("binned into 4 frames")
                .hasMessageContaining("T = 10");
    }

    @Test
    void aCheckpointsSpecMustTakeTheData() {
        var cifar = new DatasetChoice("cifar10", images("c/train", 10, 3, 32, 32), images("c/test", 10, 3, 32, 32));
        cifar.requireFits(ModelZoo.defaultSpec("resnet20"));
        assertThatThrownBy(() -> cifar.requireFits(ModelZoo.defaultSpec("fmnist-cnn")))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("takes 1x28x28 input with 10 classes; cifar10 has 3x32x32");
    }

    @Test
    void mirroringIsLeftOutWhereItChangesTheClass() {
        var digits = new DatasetChoice("nmnist", frames("n/train", 4, 10, 34), frames("n/test", 4, 10, 34));
        assertThat(digits.augmentation()).isEqualTo(new RandomCrop(2));
        var cifar = new DatasetChoice("cifar10", images("c/train", 10, 3, 32, 32), images("c/test", 10, 3, 32, 32));
        assertThat(cifar.augmentation()).isInstanceOf(Compose.class);
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> DatasetChoice.load("imagenet", null, 0, 0))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("cifar10-dvs")
                .hasMessageContaining("nfashion-mnist");
    }

    /** A recorded split stored class by class: the first N samples would hold one class, N evenly spaced hold all. */
    @Test
    void evenlySpacedSubsetsHoldEveryClass() {
        EventSampleSource byClass = new EventSampleSource() {
            public String name() {
                return "sorted/train";
            }

            public int size() {
                return 1000;
            }

            public int numClasses() {
                return 10;
            }

            public int label(int index) {
                return index / 100;
            }

            public int sensorWidth() {
                return 34;
            }

            public int sensorHeight() {
                return 34;
            }

            public EventStream events(int index) {
                return EventStream.empty(34, 34);
            }

            public String fingerprint() {
                return "v1";
            }
        };
        var subset = new DatasetChoice.EvenlySpaced(byClass, 50);
        Set<Integer> classes = new HashSet<>();
        for (int i = 0; i < subset.size(); i++) {
            classes.add(subset.label(i));
        }
        assertThat(subset.size()).isEqualTo(50);
        assertThat(classes).hasSize(10);
        assertThat(subset.fingerprint()).isNotEqualTo(byClass.fingerprint());
        assertThat(subset.name()).isNotEqualTo(byClass.name());
    }
}
