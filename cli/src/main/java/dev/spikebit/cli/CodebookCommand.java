package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.subbit.KernelStatistics;
import dev.spikebit.quant.subbit.SignPattern;
import dev.spikebit.train.subbit.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikebit codebook}: the kernel statistics behind S2NN (docs/methods.md 3). For each
 * sub-bit-eligible layer of a binary network (a 3x3 binary conv other than the first conv), how
 * much of the kernel mass the 16, 32 and 64 most frequent sign patterns cover, and a PNG
 * histogram of the patterns in rank order (the paper's motivating figure).
 */
@Command(
        name = "codebook",
        mixinStandardHelpOptions = true,
        description = "Per eligible layer of a binary network: coverage of the top 16/32/64 3x3 sign patterns, and a "
                + "PNG histogram per layer.")
public final class CodebookCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Checkpoint of a binary network.")
    Path checkpoint;

    @Option(
            names = "--out",
            defaultValue = "runs/codebook",
            description = "Where the PNGs go. Default: ${DEFAULT-VALUE}")
    Path out;

    @Override
    public Integer call() throws Exception {
        Checkpoint ckpt = Checkpoint.load(checkpoint);
        if (!ckpt.spec().weights().isBinary()) {
            throw new SpikebitException(checkpoint + ": not a binary network (its weights are \""
                    + ckpt.spec().weights().id()
                    + "\"); the codebook statistics are those of a trained binary network");
        }
        SpikingClassifier model = QuantModels.fromCheckpoint(ckpt);
        Map<String, BinaryConv2d> convs = new LinkedHashMap<>();
        Compression.collect(model, "", convs, BinaryConv2d.class);
        if (ckpt.spec().binaryEdges() && !convs.isEmpty()) {
            convs.remove(convs.keySet().iterator().next()); // a binary first conv is not eligible (docs/methods.md 3)
        }
        convs.values().removeIf(c -> c.kernel() != 3);
        if (convs.isEmpty()) {
            throw new SpikebitException(checkpoint + ": model " + ckpt.spec().model() + " has no 3x3 binary conv");
        }
        Files.createDirectories(out);
        System.out.printf(
                "%-12s %-14s %8s %9s %8s %8s %8s  %s%n",
                "layer", "shape", "kernels", "patterns", "top 16", "top 32", "top 64", "most frequent");
        boolean first = true;
        for (var e : convs.entrySet()) {
            BinaryConv2d conv = e.getValue();
            KernelStatistics stats = KernelStatistics.of(conv.latentWeight().data());
            int[] rank = stats.ranking();
            long[] ranked = new long[rank.length];
            long distinct = 0;
            for (int i = 0; i < rank.length; i++) {
                ranked[i] = stats.counts()[rank[i]];
                distinct += ranked[i] > 0 ? 1 : 0;
            }
            System.out.printf(
                    "%-12s %-14s %8d %9d %7.1f%% %7.1f%% %7.1f%%  %s %s %s%n",
                    e.getKey(),
                    conv.outChannels() + "x" + conv.inChannels() + "x3x3",
                    stats.kernels(),
                    distinct,
                    100 * stats.coverage(16),
                    100 * stats.coverage(32),
                    100 * stats.coverage(64),
                    SignPattern.draw(rank[0]),
                    SignPattern.draw(rank[1]),
                    SignPattern.draw(rank[2]));
            Path png = out.resolve("codebook-" + e.getKey().replace('.', '-') + ".png");
            Charts.patternHistogram(
                    png,
                    ckpt.spec().model() + " " + e.getKey() + " (" + conv.outChannels() + "x" + conv.inChannels()
                            + " kernels): 3x3 sign patterns",
                    ranked);
            first = false;
        }
        System.out.println("(the first conv is never eligible; coverage = share of kernels whose pattern is among the "
                + "N most frequent; patterns drawn row by row)");
        System.out.println("histograms: " + out);
        return first ? 1 : 0;
    }
}
