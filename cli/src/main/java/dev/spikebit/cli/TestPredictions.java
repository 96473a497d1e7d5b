package dev.spikebit.cli;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.interop.npy.Npy;
import dev.spikebit.train.Evaluation;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * A model's predicted classes on a test split ({@link Evaluation#predictions}), saved for another
 * framework or compared with its file and printed: the measure of an import or export
 * ({@code spikebit import --agree-with}, {@code export --predictions}).
 */
record TestPredictions(int[] predicted, int[] labels) {
    static TestPredictions of(SpikingClassifier model, DatasetName dataset, Path dataDir, int testLimit) {
        Dataset test = DatasetChoice.load(dataset, dataDir, 1, testLimit).test();
        int[] labels = IntStream.range(0, test.size()).map(test::label).toArray();
        return new TestPredictions(Evaluation.predictions(model, test, 250), labels);
    }

    double accuracy() {
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / Math.max(1, predicted.length);
    }

    void save(Path path) {
        byte[] bytes = new byte[predicted.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) predicted[i];
        }
        Npy.writeBytes(path, bytes, bytes.length);
    }

    /** Prints accuracy and agreement against a prediction file of the same test images. */
    void report(Path otherFile, String label) {
        Npy.Array other = Npy.read(otherFile);
        int n = Math.min(other.data().length, predicted.length);
        int agree = 0;
        int otherCorrect = 0;
        for (int i = 0; i < n; i++) {
            agree += (int) other.data()[i] == predicted[i] ? 1 : 0;
            otherCorrect += (int) other.data()[i] == labels[i] ? 1 : 0;
        }
        System.out.printf(
                "%d test images: spikebit accuracy %.2f%%, %s accuracy %.2f%%, agreement %.2f%%%n",
                n, 100 * accuracy(), label, 100.0 * otherCorrect / n, 100.0 * agree / n);
    }
}
