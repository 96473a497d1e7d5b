package dev.spikebit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.augment.Compose;
import dev.spikebit.data.augment.RandomCrop;
import dev.spikebit.data.events.EventSampleSource;
import dev.spikebit.data.events.EventStream;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The augmentation by dataset, unknown names, and subsets of recorded data. */
class DatasetChoiceTest {

    @Test
    void mirroringIsLeftOutWhereItChangesTheClass() {
        var digits = new DatasetChoice(
                DatasetName.NMNIST, TwoSamples.frames("n/train", 4, 10, 34), TwoSamples.frames("n/test", 4, 10, 34));
        assertThat(digits.augmentation()).isEqualTo(new RandomCrop(2));
        var cifar = new DatasetChoice(
                DatasetName.CIFAR10,
                TwoSamples.images("c/train", 10, 3, 32, 32),
                TwoSamples.images("c/test", 10, 3, 32, 32));
        assertThat(cifar.augmentation()).isInstanceOf(Compose.class);
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> DatasetName.of("imagenet"))
                .isInstanceOf(DataException.class)
                .hasMessage("unknown dataset \"imagenet\"; known: fashion-mnist, cifar10, cifar100, nmnist, "
                        + "dvs-gesture, cifar10-dvs, ncaltech101, nfashion-mnist");
    }

    @Test
    void theRegistryKnowsEachDatasetsKindFramesAndMirroring() {
        for (DatasetName d : DatasetName.values()) {
            assertThat(DatasetName.of(d.id())).isSameAs(d);
        }
        assertThat(DatasetName.FASHION_MNIST.isEvents()).isFalse();
        assertThat(DatasetName.NFASHION_MNIST.kind()).isEqualTo(DatasetName.Kind.EMULATED);
        assertThat(DatasetName.NMNIST.defaultFrameSize()).isEqualTo(34);
        assertThat(DatasetName.DVS_GESTURE.defaultFrameSize()).isEqualTo(48);
        assertThatThrownBy(DatasetName.CIFAR10::defaultFrameSize).hasMessage("cifar10 is not an event dataset");
        assertThat(DatasetName.DVS_GESTURE.mirrorKeepsClass()).isFalse();
        assertThat(DatasetName.CIFAR10_DVS.mirrorKeepsClass()).isTrue();
        assertThat(DatasetName.ofImages(1, 28, 10)).contains(DatasetName.FASHION_MNIST);
        assertThat(DatasetName.ofImages(3, 32, 100)).contains(DatasetName.CIFAR100);
        assertThat(DatasetName.ofImages(2, 34, 10)).isEmpty();
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
