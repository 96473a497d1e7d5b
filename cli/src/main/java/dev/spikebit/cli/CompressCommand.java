package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.distill.MembraneDistillation;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.subbit.Compression;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikebit compress}: S2NN sub-bit compression of a trained binary network (docs/methods.md 3),
 * fine-tuned with optional OS-Quant and MPFD; writes {@code subbit.safetensors}, a checkpoint that
 * {@code spikebit deploy} turns into a {@code deployed-2} file.
 */
@Command(
        name = "compress",
        mixinStandardHelpOptions = true,
        description = "Make a sub-bit network (S2NN) from a binary checkpoint: codebooks of the 2^eta most frequent "
                + "3x3 sign patterns, fine-tuned with optional OS-Quant selection and MPFD distillation.")
public final class CompressCommand implements Callable<Integer> {
    @Option(
            names = "--from",
            required = true,
            description = "Checkpoint of a binary network ('spikebit train --weights binary').")
    Path from;

    @Option(
            names = "--eta",
            required = true,
            description = "Index bits per 3x3 kernel, 1..8 (codebook of 2^eta patterns); the paper uses 4, 5, 6.")
    int eta;

    @Option(names = "--osquant", description = "Choose codewords with OS-Quant (outlier-aware).")
    boolean osQuant;

    @Option(names = "--mpfd", description = "Distil membrane potentials from --teacher.")
    boolean mpfd;

    @Option(names = "--teacher", description = "Checkpoint of the teacher (a full-precision network), for --mpfd.")
    Path teacher;

    @Option(
            names = "--lambda",
            defaultValue = "1000",
            description = "Weight of the MPFD loss. Default: ${DEFAULT-VALUE}")
    float lambda;

    @Option(
            names = "--refresh",
            defaultValue = "0",
            description = "Rebuild codebooks every N steps (0 = fixed). Default: ${DEFAULT-VALUE}")
    int refresh;

    @Option(names = "--epochs", defaultValue = "1", description = "Fine-tuning epochs. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(
            names = "--lr",
            defaultValue = "1e-3",
            description = "Adam learning rate (cosine). Default: ${DEFAULT-VALUE}")
    float lr;

    @Option(names = "--batch-size", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--seed", defaultValue = "1", description = "Shuffling seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(
            names = "--train-limit",
            defaultValue = "0",
            description = "Use only the first N training images (0 = all).")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images (0 = all).")
    int testLimit;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is.")
    Path dataDir;

    @Option(
            names = "--out",
            defaultValue = "runs/compress",
            description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out;

    @Override
    public Integer call() {
        if (mpfd && teacher == null) {
            throw new SpikebitException("--mpfd needs --teacher (a trained full-precision checkpoint)");
        }
        if (!mpfd && teacher != null) {
            throw new SpikebitException("--teacher is used only with --mpfd");
        }
        OptionRanges.between("--eta", eta, 1, 8);
        OptionRanges.nonNegative("--lambda", lambda);
        OptionRanges.atLeast("--refresh", refresh, 0);
        OptionRanges.between("--epochs", epochs, 0, TrainConfig.MAX_EPOCHS);
        OptionRanges.positive("--lr", lr);
        OptionRanges.between("--batch-size", batchSize, 1, TrainConfig.MAX_BATCH);
        OptionRanges.atLeast("--train-limit", trainLimit, 0);
        OptionRanges.atLeast("--test-limit", testLimit, 0);
        SpikingClassifier model = Compression.fromBinary(Checkpoint.load(from), eta, osQuant, refresh);
        SpikingClassifier teacherNet = null;
        if (mpfd) {
            Checkpoint t = Checkpoint.load(teacher);
            teacherNet = QuantModels.fromCheckpoint(t);
        }
        DatasetChoice data = DatasetChoice.load(DatasetName.FASHION_MNIST, dataDir, trainLimit, testLimit);
        var settings = new Compression.Settings(
                epochs, batchSize, lr, seed, mpfd ? lambda : MembraneDistillation.DEFAULT_LAMBDA);
        Compression.fineTune(
                model,
                teacherNet,
                settings,
                data.train(),
                data.test(),
                out,
                System.err,
                TrainingProgress.withOutputFiles(System.err));
        System.out.println("sub-bit checkpoint: " + out.resolve("subbit.safetensors"));
        return 0;
    }
}
