package dev.spikebit.cli;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.optim.Optimizer;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.bench.Batches;
import dev.spikebit.train.bench.RuntimeBench;
import dev.spikebit.train.bench.StepProfile;
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
    /** Warm-up: batches per window, JIT time below which a window counts as idle, and the cap. */
    private static final int WINDOW = 5;

    private static final long COMPILING_MS = 20;
    private static final long MAX_WARMUP_SECONDS = 180;

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

    @Option(
            names = "--warmup",
            defaultValue = "10",
            description = "Untimed batches first, at least; then more until the JIT is idle. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(
            names = "--profile",
            description = "With 'train': after the timed runs, one more run that reports the share of the step time "
                    + "per kind of operation (forward and backward), GC pauses and allocation per step.")
    boolean profile;

    @Option(
            names = "--dataset",
            defaultValue = "synthetic",
            description = "synthetic (one fixed random batch) or fashion-mnist (real shuffled batches through the "
                    + "data loader, whose time is then part of the step). Default: ${DEFAULT-VALUE}")
    String dataset;

    @Override
    public Integer call() {
        OptionRanges.atLeast("--runs", runs, 1);
        OptionRanges.atLeast("--steps", steps, 1);
        OptionRanges.atLeast("--warmup", warmup, 0);
        OptionRanges.between("--batch", batch, 1, TrainConfig.MAX_BATCH);
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
        ModelSpec spec = ModelZoo.defaultSpec(model)
                .withSpikes(SpikeKind.of(spikes, "--spikes"))
                .withWeights(WeightKind.of(weights, "--weights"));
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
        Tensor fixed = Tensor.of(pixels, shape);
        Batches batches = switch (dataset) {
            case "synthetic" -> Batches.fixed(fixed, labels);
            case "fashion-mnist" -> Batches.fashionMnist(spec, batch, dataDir);
            default ->
                throw new dev.spikebit.core.SpikebitException(
                        "bench: --dataset must be synthetic or fashion-mnist, got \"" + dataset + "\"");
        };
        Optimizer opt = Adam.adam(net.parameters(), 1e-3f);
        Runnable step = training
                ? () -> {
                    Batches.Next b = batches.next();
                    Tensor loss = Losses.crossEntropy(net.logits(b.x()), b.labels());
                    loss.backward();
                    opt.step();
                    opt.zeroGrad();
                }
                : () -> {
                    Batches.Next b = batches.next();
                    try (var scope = NoGrad.enter()) {
                        net.logits(b.x());
                    }
                };
        net.train(training);
        System.err.printf(
                "bench %s: %s, T=%d, batch %d, spikes %s, weights %s, data %s, %d threads, GEMM %s%n",
                what,
                model,
                spec.timeSteps(),
                batch,
                spikes,
                weights,
                dataset,
                Parallel.threads(),
                Gemms.get().name());
        int warmed = warmUp(step);
        System.err.printf("  warm-up: %d batches, until the JIT was idle%n", warmed);
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
        long peakHeap = peakHeapBytes();
        StepProfile.Report report = profile && training ? StepProfile.measure(step, steps, batch) : null;
        batches.close();
        System.out.printf(
                "%s %s: %.4g images/s (median of %d runs of %d batches; min %.4g, max %.4g), "
                        + "%.2f CPU-ms per image, peak heap %d MiB, peak RSS %s%n",
                what,
                model,
                median,
                runs,
                steps,
                sorted[0],
                sorted[runs - 1],
                cpu[runs / 2],
                peakHeap >> 20,
                StepProfile.peakRss());
        if (report != null) {
            report.print(System.out);
        }
        return 0;
    }

    /**
     * Runs {@code --warmup} batches, then windows of {@value #WINDOW} batches until one passes with
     * less than {@value #COMPILING_MS} ms of JIT compilation (at most {@value #MAX_WARMUP_SECONDS}
     * s in all); returns the batches run. A fixed count is not enough: the Vector API kernels run
     * through slow Java fallbacks until C2 has compiled them, and on a busy machine, or after a
     * recompilation, that took over a minute of batches in a PrintCompilation log.
     */
    private int warmUp(Runnable step) {
        var jit = ManagementFactory.getCompilationMXBean();
        long deadline = System.nanoTime() + MAX_WARMUP_SECONDS * 1_000_000_000L;
        int done = 0;
        for (; done < warmup; done++) {
            step.run();
        }
        while (System.nanoTime() < deadline) {
            long compiledBefore = jit.getTotalCompilationTime();
            for (int i = 0; i < WINDOW; i++) {
                step.run();
            }
            done += WINDOW;
            if (jit.getTotalCompilationTime() - compiledBefore < COMPILING_MS) {
                break;
            }
        }
        return done;
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
