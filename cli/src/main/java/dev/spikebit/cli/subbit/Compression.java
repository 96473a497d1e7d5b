package dev.spikebit.cli.subbit;

import dev.spikebit.cli.train.EpochMetrics;
import dev.spikebit.cli.train.Evaluation;
import dev.spikebit.cli.train.TrainingPlot;
import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.Module.StateEntry;
import dev.spikebit.core.ops.Elementwise;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.optim.LrSchedule;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.loader.Batch;
import dev.spikebit.data.loader.DataLoader;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.distill.MembraneDistillation;
import dev.spikebit.quant.subbit.KernelStatistics;
import dev.spikebit.quant.subbit.SubBitConv2d;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S2NN compression (methods.md 3): a sub-bit network made from a trained binary one and
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
    public record Settings(int epochs, int batchSize, float lr, long seed, float lambda) {
    }

    private Compression() {
    }

    /**
     * The sub-bit network of a binary checkpoint: same architecture, every tensor copied,
     * codebooks from the binary layers' kernel statistics.
     *
     * @throws SpikebitException if the checkpoint is not a binary network (trained amplitude) or
     *                           eta is outside 1..8
     */
    public static SpikingClassifier fromBinary(Checkpoint binary, int eta, boolean osQuant, int refresh) {
        ModelSpec spec = binary.spec();
        if (!spec.weights().equals("binary")) {
            throw new SpikebitException(binary.source() + ": not a binary network (its weights are \"" + spec.weights()
                    + "\"); compress starts from a network trained with --weights binary");
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
     * a teacher), evaluating after each epoch; writes {@code subbit.safetensors} (the last epoch),
     * {@code curves.png} into {@code outDir}. Returns the epochs' metrics.
     */
    public static List<EpochMetrics> fineTune(SpikingClassifier model, SpikingClassifier teacher, Settings settings,
                                              Dataset train, Dataset test, Path outDir, PrintStream log) {
        try {
            Files.createDirectories(outDir);
        } catch (Exception e) {
            throw new SpikebitException(outDir + ": cannot create the output directory: " + e.getMessage());
        }
        MembraneDistillation distillation = teacher == null ? null
                : MembraneDistillation.between(model, teacher, settings.lambda());
        if (distillation != null) {
            log.printf("MPFD: lambda %s, %d layer pairs %s%n", settings.lambda(), distillation.pairs().size(),
                    distillation.pairs().stream().map(MembraneDistillation.Pair::name).toList());
        }
        DataLoader loader = DataLoader.over(train).batchSize(settings.batchSize()).shuffle(true).dropLast(true)
                .seed(settings.seed()).build();
        var optimizer = Adam.adam(model.parameters(), settings.lr());
        long total = (long) Math.max(1, loader.batchesPerEpoch()) * settings.epochs();
        LrSchedule schedule = LrSchedule.parse("cosine", settings.lr(), total);
        List<EpochMetrics> history = new ArrayList<>();
        try {
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                model.train(true);
                long start = System.nanoTime();
                double lossSum = 0;
                double distillSum = 0;
                long correct = 0;
                long seen = 0;
                try (var data = loader.epoch(epoch - 1)) {
                    while (data.hasNext()) {
                        Batch b = data.next();
                        optimizer.setLr(schedule.lr(optimizer.steps()));
                        Tensor x = Tensor.of(b.x(), b.shape());
                        if (distillation != null) {
                            distillation.runTeacher(x);
                        }
                        Tensor logits = TimeOps.meanOverTime(model.forward(x));
                        Tensor ce = Losses.crossEntropy(logits, b.labels());
                        Tensor loss = ce;
                        if (distillation != null) {
                            Tensor mpfd = distillation.weightedLoss();
                            distillSum += mpfd.item() * b.size();
                            loss = Elementwise.add(ce, mpfd);
                        }
                        loss.backward();
                        optimizer.step();
                        optimizer.zeroGrad();
                        int[] predicted = Losses.argmax(logits);
                        for (int i = 0; i < predicted.length; i++) {
                            correct += predicted[i] == b.labels()[i] ? 1 : 0;
                        }
                        lossSum += ce.item() * b.size();
                        seen += b.size();
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Evaluation.Result result = Evaluation.evaluate(model, test, 256);
                var m = new EpochMetrics(epoch, lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen),
                        result.loss(), result.accuracy(), seen / seconds, seconds, optimizer.lr());
                history.add(m);
                log.printf("epoch %d/%d: train CE %.4f%s acc %.2f%%, test acc %.2f%%, %.0f img/s%n", epoch,
                        settings.epochs(), m.trainLoss(), distillation == null ? ""
                                : String.format(", lambda*MPFD %.4f,", distillSum / Math.max(1, seen)),
                        100 * m.trainAccuracy(), 100 * m.testAccuracy(), m.imagesPerSecond());
            }
        } finally {
            if (distillation != null) {
                distillation.detach();
            }
        }
        model.eval();
        Map<String, String> info = new LinkedHashMap<>();
        info.put("epoch", Integer.toString(settings.epochs()));
        info.put("test_accuracy", Double.toString(history.isEmpty() ? Double.NaN
                : history.get(history.size() - 1).testAccuracy()));
        info.put("mpfd", teacher == null ? "off" : "lambda " + settings.lambda());
        Checkpoint.save(outDir.resolve("subbit.safetensors"), model.spec(), model, null, info);
        TrainingPlot.write(outDir.resolve("curves.png"), model.spec().model() + " sub-bit", history);
        return history;
    }
}
