package dev.spikebit.train.subbit;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.distill.MembraneDistillation;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The main of the JVM {@link MpfdHeapTest} starts: an eta-4 OS-Quant fmnist-vgg-s fine-tuned with
 * MPFD from a full-precision teacher, as {@code spikebit compress --mpfd} does, for two steps of
 * 64 real Fashion-MNIST images, then scored on 256 test images, one batch of the trainer's evaluation.
 * Prints the epoch's test accuracy; an out-of-memory error ends the JVM with a non-zero status.
 */
final class MpfdFineTuningRun {
    private MpfdFineTuningRun() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        DatasetChoice data = DatasetChoice.load(DatasetName.FASHION_MNIST, null, 128, 256);
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-vgg-s");
        SpikingClassifier teacher = QuantModels.build(spec, 3);
        ModelSpec binarySpec = spec.withWeights(WeightKind.BINARY);
        Path binary = dir.resolve("binary.safetensors");
        Checkpoint.save(binary, binarySpec, QuantModels.build(binarySpec, 5), null, Map.of());
        SpikingClassifier student = Compression.fromBinary(Checkpoint.load(binary), 4, true, 0);
        List<EpochMetrics> history = Compression.fineTune(
                student,
                teacher,
                new Compression.Settings(1, 64, 1e-3f, 1, MembraneDistillation.DEFAULT_LAMBDA),
                data.train(),
                data.test(),
                dir.resolve("run"),
                System.err,
                TrainingListener.NONE);
        System.out.println("test accuracy " + history.getLast().testAccuracy());
    }
}
