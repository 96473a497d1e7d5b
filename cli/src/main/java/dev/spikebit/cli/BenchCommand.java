package dev.spikebit.cli;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.optim.Optimizer;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikebit bench train|infer}: images per second of whole training or inference steps of
 * a zoo model (median of several timed runs after a warm-up) and the peak heap.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure training or inference throughput of a model: images/s (median of runs) and peak heap.")
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "train or infer")
    String what;

    @Option(
            names = "--model",
            defaultValue = "fmnist-cnn",
            description = "Zoo model, or with 'infer' a deployed model file. Default: ${DEFAULT-VALUE}")
    String model;

    @Option(
            names = {"--T", "--time-steps"},
            description = "Time steps (default: the model's).")
    Integer timeSteps;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--spikes", defaultValue = "binary", description = "binary or real. Default: ${DEFAULT-VALUE}")
    String spikes;

    @Option(
            names = "--weights",
            defaultValue = "fp",
            description = "fp, binary or binary-fixed-alpha. Default: ${DEFAULT-VALUE}")
    String weights;

    @Option(
            names = "--checkpoint",
            description =
                    "With --model FILE.safetensors (a deployed model): the checkpoint it came from, for the training-engine side.")
    java.nio.file.Path checkpoint;

    @Option(names = "--data-dir", description = "Where the dataset is (images for the deployed-model comparison).")
    java.nio.file.Path dataDir;

    @Option(
            names = "--runs",
            defaultValue = "5",
            description = "Timed runs; the median is reported. Default: ${DEFAULT-VALUE}")
    int runs;

    @Option(names = "--steps", defaultValue = "20", description = "Batches per timed run. Default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed batches first. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Override
    public Integer call() {
        OptionRanges.atLeast("--runs", runs, 1);
        OptionRanges.atLeast("--steps", steps, 1);
        OptionRanges.atLeast("--warmup", warmup, 0);
        OptionRanges.between("--batch", batch, 1, dev.spikebit.cli.train.TrainConfig.MAX_BATCH);
        if (timeSteps != null) {
            OptionRanges.between("--T", timeSteps, 1, dev.spikebit.core.models.ModelSpec.MAX_TIME_STEPS);
        }
        if (what.equals("infer") && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(model))) {
            // A deployed model: the multiplication-free runtime against the training engine, in one run.
            RuntimeBench.run(java.nio.file.Path.of(model), checkpoint, dataDir, runs, System.out);
            return 0;
        }
        boolean training = switch (what) {
            case "train" -> true;
            case "infer" -> false;
            default ->
                throw new dev.spikebit.core.SpikebitException(
                        "bench: expected 'train' or 'infer', got \"" + what + "\"");
        };
        ModelSpec spec = ModelZoo.defaultSpec(model).withSpikes(spikes).withWeights(weights);
        if (timeSteps != null) {
            spec = spec.withTimeSteps(timeSteps);
        }
        SpikingClassifier net = Models.build(spec, 1);
        // Models whose input is two polarity channels take event frames [T, B, 2, H, W] (sparse small
        // counts), run through the stem step by step; the others a static image [B, C, H, W] in [0, 1].
        boolean events = spec.inChannels() == 2;
        int[] shape = events
                ? new int[] {spec.timeSteps(), batch, spec.inChannels(), spec.inSize(), spec.inSize()}
                : new int[] {batch, spec.inChannels(), spec.inSize(), spec.inSize()};
        SplittableRandom rng = new SplittableRandom(1);
        float[] pixels = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = events ? (rng.nextInt(8) == 0 ? 1 + rng.nextInt(3) : 0) : (float) rng.nextDouble();
        }
        int[] labels = rng.ints(batch, 0, spec.numClasses()).toArray();
        Tensor x = Tensor.of(pixels, shape);
        Optimizer opt = Adam.adam(net.parameters(), 1e-3f);
        Runnable step = training
                ? () -> {
                    Tensor loss = Losses.crossEntropy(net.logits(x), labels);
                    loss.backward();
                    opt.step();
                    opt.zeroGrad();
                }
                : () -> {
                    try (var scope = NoGrad.enter()) {
                        net.logits(x);
                    }
                };
        net.train(training);
        System.err.printf(
                "bench %s: %s, T=%d, batch %d, spikes %s, weights %s, %d threads, GEMM %s%n",
                what,
                model,
                spec.timeSteps(),
                batch,
                spikes,
                weights,
                Parallel.threads(),
                Gemms.get().name());
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        System.gc();
        resetPeaks();
        double[] rates = new double[runs];
        double[] cpuPerImage = new double[runs];
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            rates[r] = (double) steps * batch / ((System.nanoTime() - start) / 1e9);
            cpuPerImage[r] = (processCpuNanos() - cpuStart) / 1e6 / ((double) steps * batch);
            System.err.printf("  run %d: %.0f images/s, %.2f CPU-ms per image%n", r + 1, rates[r], cpuPerImage[r]);
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted[runs / 2];
        double[] cpu = cpuPerImage.clone();
        Arrays.sort(cpu);
        System.out.printf(
                "%s %s: %.4g images/s (median of %d runs of %d batches; min %.4g, max %.4g), "
                        + "%.2f CPU-ms per image, peak heap %d MiB%n",
                what, model, median, runs, steps, sorted[0], sorted[runs - 1], cpu[runs / 2], peakHeapBytes() >> 20);
        return 0;
    }

    /**
     * CPU time of the whole process, all threads (BLAS threads included): on a machine shared
     * with other work it shows the cost of a step better than the wall clock does.
     */
    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean bean ? bean.getProcessCpuTime() : 0L;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** Sum of the heap pools' peaks since the last reset: an upper bound of the live heap at any moment. */
    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
