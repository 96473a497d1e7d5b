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
    void mirroringIsLeftOutWhereItChangesTheClass() {
        var digits = new DatasetChoice("nmnist", frames("n/train", 4, 10, 34), frames("n/test", 4, 10, 34));
        assertThat(digits.augmentation()).isEqualTo(new RandomCrop(2));
        var cifar = new DatasetChoice("cifar10", images("c/train", 10, 3, 32, 32), images("c/test", 10, 3, 32, 32));
        assertThat(cifar.augmentation()).isInstanceOf(Compose.class);
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> DatasetChoice.load("imagenet", null, 0, 0))
                .isInstanceOf(DataException.class)
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
