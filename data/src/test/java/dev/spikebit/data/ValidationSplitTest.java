package dev.spikebit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The held-out images: disjoint from the trained ones, the same every time, every class present. */
class ValidationSplitTest {

    @Test
    void holdsOutAFixedDisjointSubsetOfRealTrainingImages() {
        var data = FashionMnistSubset.load(6000, 1);
        ValidationSplit split = ValidationSplit.of(data.train(), 1000);
        assertThat(split.validation().size()).isEqualTo(1000);
        assertThat(split.train().size()).isEqualTo(5000);
        Set<Integer> held = new HashSet<>();
        for (int i = 0; i < split.validation().size(); i++) {
            held.add(split.validation().sourceIndex(i));
        }
        Set<Integer> all = new HashSet<>(held);
        for (int i = 0; i < split.train().size(); i++) {
            assertThat(held).doesNotContain(split.train().sourceIndex(i));
            all.add(split.train().sourceIndex(i));
        }
        assertThat(all).hasSize(6000);
        // the same images whatever else happened before: the shuffle has its own seed
        ValidationSplit again = ValidationSplit.of(data.train(), 1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(again.validation().sourceIndex(i))
                    .isEqualTo(split.validation().sourceIndex(i));
        }
        // spread over the split, not its first images, and every class held out
        assertThat(split.validation().sourceIndex(999)).isGreaterThan(5000);
        int[] perClass = new int[10];
        for (int i = 0; i < 1000; i++) {
            perClass[split.validation().label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertThat(perClass[c]).as("class %d", c).isBetween(60, 140);
        }
        // the samples are the source's
        float[] a = new float[784];
        float[] b = new float[784];
        split.validation().copySample(7, a, 0);
        data.train().copySample(split.validation().sourceIndex(7), b, 0);
        assertThat(a).containsExactly(b);
        assertThat(split.validation().label(7))
                .isEqualTo(data.train().label(split.validation().sourceIndex(7)));
    }

    @Test
    void refusesASizeThatLeavesNothingToTrainOn() {
        var tiny = TwoSamples.images("t/train", 10, 1, 4, 4);
        assertThatThrownBy(() -> ValidationSplit.of(tiny, 2))
                .isInstanceOf(DataException.class)
                .hasMessage("--validation 2: the validation set must hold 1..1 of the 2 images of t/train");
        assertThatThrownBy(() -> ValidationSplit.of(tiny, 0)).isInstanceOf(DataException.class);
    }
}
