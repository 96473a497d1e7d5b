package dev.spikebit.bench.fuzz;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.DataException;
import dev.spikebit.data.cifar.CifarBinaryReader;
import dev.spikebit.data.cifar.TarGzArchive;
import dev.spikebit.data.events.Aedat2Reader;
import dev.spikebit.data.events.Aedat31Reader;
import dev.spikebit.data.events.AtisBinReader;
import dev.spikebit.data.events.GestureLabels;
import dev.spikebit.data.idx.IdxReader;
import dev.spikebit.data.image.PngImages;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.RuntimeModelException;
import dev.spikebit.runtime.io.Json;
import dev.spikebit.train.ResumeMetadata;
import dev.spikebit.train.TrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fuzz target of every reader of user files: training data (IDX, CIFAR binary, tar.gz, ATIS,
 * AEDAT 2.0 and 3.1, DVS Gesture's label CSV, PNG), checkpoints (read and built into a model),
 * deployed models (by the runtime and by the deployment module) and the resume metadata of a
 * checkpoint. Each reads the way the command line does.
 */
public final class FuzzTargets {
    /** The member the tar.gz seeds hold. */
    static final String TAR_MEMBER = "cifar-10-batches-bin/test_batch.bin";

    private FuzzTargets() {}

    public static final List<FuzzTarget> ALL = List.of(
            new FuzzTarget(
                    "idx",
                    "images-idx3-ubyte",
                    List.of(DataException.class),
                    1100,
                    (file, scratch) -> IdxReader.read(file)),
            new FuzzTarget(
                    "cifar",
                    "data_batch_1.bin",
                    List.of(DataException.class),
                    4,
                    (file, scratch) -> CifarBinaryReader.read(List.of(file), 1, 0, 10)),
            new FuzzTarget(
                    "targz",
                    "cifar-10-binary.tar.gz",
                    List.of(DataException.class),
                    1100,
                    (file, scratch) -> TarGzArchive.extract(file, Set.of(TAR_MEMBER), scratch)),
            new FuzzTarget(
                    "atis",
                    "sample.bin",
                    List.of(DataException.class),
                    16,
                    (file, scratch) -> AtisBinReader.read(file, AtisBinReader.NMNIST_SIZE, AtisBinReader.NMNIST_SIZE)),
            new FuzzTarget(
                    "aedat2",
                    "user01_fluorescent.aedat",
                    List.of(DataException.class),
                    16,
                    (file, scratch) -> Aedat2Reader.read(file)),
            new FuzzTarget(
                    "aedat31",
                    "recording.aedat",
                    List.of(DataException.class),
                    16,
                    (file, scratch) -> Aedat31Reader.read(file, Aedat31Reader.DVS128_SIZE, Aedat31Reader.DVS128_SIZE)),
            new FuzzTarget(
                    "gesture-csv",
                    "user01_fluorescent_labels.csv",
                    List.of(DataException.class),
                    64,
                    (file, scratch) -> GestureLabels.read(file)),
            new FuzzTarget("png", "image.png", List.of(DataException.class), 10_000, (file, scratch) -> {
                var image = PngImages.decode(file, null);
                PngImages.toFloats(image, 3, new float[3 * image.getWidth() * image.getHeight()], 0);
            }),
            new FuzzTarget("checkpoint", "last.safetensors", List.of(SpikebitException.class), 64, (file, scratch) -> {
                Checkpoint checkpoint = Checkpoint.load(file);
                SpikingClassifier model = QuantModels.fromCheckpoint(checkpoint);
                model.parameterCount();
            }),
            new FuzzTarget(
                    "deployed",
                    "model.safetensors",
                    List.of(RuntimeModelException.class, SpikebitException.class),
                    64,
                    FuzzTargets::readDeployed),
            new FuzzTarget("resume", "metadata.json", List.of(SpikebitException.class), 64, FuzzTargets::readResume));

    public static FuzzTarget named(String name) {
        return ALL.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fuzz target \"" + name + "\"; known: "
                        + String.join(", ", ALL.stream().map(FuzzTarget::name).toList())));
    }

    /**
     * A deployed model as {@code infer} (the runtime) and {@code inspect} (the deployment module)
     * read it; each may refuse it with its own module's error.
     */
    private static void readDeployed(Path file, Path scratch) {
        RuntimeModelException runtime = null;
        try {
            Model.load(file);
        } catch (RuntimeModelException refused) {
            runtime = refused;
        }
        DeployedFormat.load(file); // the deployment module's SpikebitException, if it refuses
        if (runtime != null) {
            throw runtime;
        }
    }

    /**
     * The metadata of a checkpoint (a JSON object of strings, as safetensors stores it) read for
     * {@code train --resume}: the configuration, then the epoch, accuracy and history. An input
     * that is no such object (most mutations of one) becomes the value of every key instead, so
     * that each field's parser meets arbitrary text.
     */
    private static void readResume(Path file, Path scratch) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Map<String, String> info = stringsObject(new String(bytes, StandardCharsets.UTF_8));
        if (info == null) {
            String text = new String(bytes, StandardCharsets.UTF_8);
            info = Map.of("train_config", text, "epoch", text, "best_accuracy", text, "history", text);
        }
        ModelSpec spec = ModelSpec.defaults("fmnist-cnn", 4, 1, 28, 10);
        Checkpoint checkpoint = new Checkpoint(file, spec, Map.of(), Map.of(), info);
        TrainConfig config = ResumeMetadata.config(checkpoint, null);
        ResumeMetadata.progress(checkpoint, config.epochs());
    }

    /** The JSON object of strings {@code text} holds, or null when it holds anything else. */
    private static Map<String, String> stringsObject(String text) {
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException notJson) {
            return null;
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            return null;
        }
        Map<String, String> strings = new LinkedHashMap<>();
        for (var e : map.entrySet()) {
            if (!(e.getValue() instanceof String value)) {
                return null;
            }
            strings.put((String) e.getKey(), value);
        }
        return strings;
    }
}
