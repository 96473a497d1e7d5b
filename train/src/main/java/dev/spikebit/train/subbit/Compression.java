package dev.spikebit.train.subbit;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.Module.StateEntry;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.distill.MembraneDistillation;
import dev.spikebit.quant.subbit.KernelStatistics;
import dev.spikebit.quant.subbit.SubBitConv2d;
import dev.spikebit.train.AuxiliaryLoss;
import dev.spikebit.train.EpochMetrics;
import dev.spikebit.train.ResumableRun;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S2NN compression (docs/methods.md 3): a sub-bit network made from a trained binary one and
 * fine-tuned, optionally with OS-Quant selection and MPFD distillation from a full-precision
 * teacher. Every parameter and buffer of the binary network is carried over (latent weights,
 * amplitudes, batch norms); each eligible layer's codebook is the {@code 2^eta} most frequent sign
 * patterns of the trained binary layer.
 */
public final class Compression {
    /**
     * How to fine-tune.
     *
     * @param epochs    passes over the training set
     * @param batchSize images per batch
     * @param lr        Adam learning rate, cosine decay over all steps
     * @param seed      fixes shuffling
     * @param lambda    weight of the MPFD loss (used only with a teacher)
     */
    public record Settings(int epochs, int batchSize, float lr, long seed, float lambda) {}

    private Compression() {}

    /**
     * The sub-bit network of a binary checkpoint: same architecture, every tensor copied,
     * codebooks from the binary layers' kernel statistics.
     *
     * @throws SpikebitException if the checkpoint is not a binary network (trained amplitude) or
     *                           eta is outside 1..8
     */
    public static SpikingClassifier fromBinary(Checkpoint binary, int eta, boolean osQuant, int refresh) {
        ModelSpec spec = binary.spec();
        if (spec.weights() != WeightKind.BINARY) {
            throw new SpikebitException(binary.source() + ": not a binary network (its weights are \""
                    + spec.weights().id() + "\"); compress starts from a network trained with --weights binary");
        }
        if (eta < 1 || eta > 8) {
            throw new SpikebitException("--eta must be in 1..8 (a codebook of 2^eta of the 512 sign patterns of a 3x3 "
                    + "kernel), got " + eta);
        }
        SpikingClassifier binaryNet = QuantModels.fromCheckpoint(binary);
        Map<String, BinaryConv2d> binaryConvs = new LinkedHashMap<>();
        collect(binaryNet, "", binaryConvs, BinaryConv2d.class);
        SpikingClassifier model = QuantModels.build(spec.withSubBit(eta, osQuant, refresh), 0);
        Map<String, SubBitConv2d> subBit = new LinkedHashMap<>();
        collect(model, "", subBit, SubBitConv2d.class);
        if (subBit.isEmpty()) {
            throw new SpikebitException(binary.source() + ": model " + spec.model() + " has no sub-bit-eligible layer "
                    + "(a 3x3 binary conv other than the first conv)");
        }
        Map<String, StateEntry> state = new LinkedHashMap<>(binary.model());
        subBit.forEach((name, layer) -> {
            BinaryConv2d source = binaryConvs.get(name);
            var codebook = KernelStatistics.of(source.latentWeight().data()).codebook(eta);
            state.put(name + ".codebook", new StateEntry(codebook.asFloats(), new int[] {1 << eta}));
        });
        model.loadStateDict(state, binary.source().toString());
        return model;
    }

    /** Layers of one type by dotted name. */
    public static <T> void collect(dev.spikebit.core.nn.Module m, String prefix, Map<String, T> out, Class<T> type) {
        for (var e : m.children().entrySet()) {
            String name = prefix + e.getKey();
            if (type.isInstance(e.getValue())) {
                out.put(name, type.cast(e.getValue()));
            }
            collect(e.getValue(), name + ".", out, type);
        }
    }

    /**
     * Fine-tunes {@code model} (cross-entropy on the mean over T, plus {@code lambda * L_MPFD} with
     * a teacher) with the {@link dev.spikebit.train.Trainer}, evaluating after each epoch. Writes
     * the trainer's checkpoints into {@code outDir} ({@code last.safetensors}, resumable, and
     * {@code best}; whatever {@code listener} writes besides) and the final network as
     * {@code subbit.safetensors}.
     * A directory that already holds this run is resumed or reused ({@link ResumableRun}). Returns
     * the epochs' metrics.
     */
    public static List<EpochMetrics> fineTune(
            SpikingClassifier model,
            SpikingClassifier teacher,
            Settings settings,
            Dataset train,
            Dataset test,
            Path outDir,
            PrintStream log,
            TrainingListener listener) {
        AuxiliaryLoss mpfd = teacher == null ? null : distillation(model, teacher, settings.lambda(), log);
        List<EpochMetrics> history = ResumableRun.train(
                        config(model.spec(), settings), model, mpfd, train, test, outDir, log, listener)
                .history();
        Map<String, String> info = new LinkedHashMap<>();
        info.put("epoch", Integer.toString(settings.epochs()));
        info.put(
                "test_accuracy",
                Double.toString(
                        history.isEmpty()
                                ? Double.NaN
                                : history.get(history.size() - 1).testAccuracy()));
        info.put("mpfd", teacher == null ? "off" : "lambda " + settings.lambda());
        Checkpoint.save(outDir.resolve("subbit.safetensors"), model.spec(), model, null, info);
        return history;
    }

    /** The training configuration of a fine-tuning: Adam, no weight decay, cosine decay, cross-entropy. */
    public static TrainConfig config(ModelSpec spec, Settings s) {
        return TrainConfig.builder(spec)
                .epochs(s.epochs())
                .batchSize(s.batchSize())
                .lr(s.lr())
                .seed(s.seed())
                .build();
    }

    /**
     * What {@link #distillation} from a teacher of {@code teacher} calls itself in a run's {@code
     * run.txt}: known before the teacher is loaded, so a finished run's record is recognised without
     * it.
     */
    public static String describeDistillation(ModelSpec teacher, float lambda) {
        return "MPFD lambda " + lambda + " from a " + teacher.weights().id() + " " + teacher.model() + " teacher";
    }

    /** MPFD from {@code teacher} into {@code student} as the trainer's auxiliary loss (docs/methods.md 3). */
    public static AuxiliaryLoss distillation(
            SpikingClassifier student, SpikingClassifier teacher, float lambda, PrintStream log) {
        MembraneDistillation mpfd = MembraneDistillation.between(student, teacher, lambda);
        log.printf(
                "MPFD: lambda %s, %d layer pairs %s%n",
                lambda,
                mpfd.pairs().size(),
                mpfd.pairs().stream().map(MembraneDistillation.Pair::name).toList());
        return new AuxiliaryLoss() {
            @Override
            public String name() {
                return "lambda*MPFD";
            }

            @Override
            public void beforeForward(Tensor input) {
                mpfd.runTeacher(input);
            }

            @Override
            public Tensor loss() {
                Tensor loss = mpfd.weightedLoss();
                mpfd.releasePotentials(); // the step's graph dies with its backward
                return loss;
            }

            @Override
            public String describe() {
                return describeDistillation(teacher.spec(), lambda);
            }

            @Override
            public void close() {
                mpfd.detach();
            }
        };
    }
}
