package dev.spikebit.train.bench;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.ops.Losses;
import dev.spikebit.core.optim.Adam;
import dev.spikebit.core.optim.Optimizer;
import dev.spikebit.core.profile.ProcessCpuClock;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.QuantModels;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Images per second of whole training or inference steps of a model built from its spec: a
 * warm-up until the JIT is idle, then several timed runs of a fixed number of batches, with the
 * process CPU time per image, the peak heap and the peak RSS, and optionally a step profile.
 *
 * <p>{@link #prepare} builds the model, the batches and the step; {@link #run} measures them.
 */
public final class ThroughputBench implements AutoCloseable {
    /**
     * Warm-up: a window is at least this many batches and this long, it counts as idle below this
     * much JIT time, this many idle windows in a row end the warm-up, and the cap.
     */
    private static final int WINDOW = 5;

    private static final long WINDOW_NANOS = 500_000_000L;
    private static final long COMPILING_MS = 20;
    private static final int IDLE_WINDOWS = 2;
    /** A window counts as idle only if its CPU time per batch fell by less than this share of the last one's. */
    private static final double STEADY = 0.97;

    private static final long MAX_WARMUP_SECONDS = 180;

    /** What one step does. */
    public enum Workload {
        /** Forward, cross-entropy loss, backward and an Adam step. */
        TRAIN,
        /** Forward only, without the autograd graph. */
        INFER
    }

    /** Where the batches come from. */
    public enum Source {
        /** One fixed random batch again and again. */
        SYNTHETIC,
        /** Real shuffled Fashion-MNIST batches through the data loader, whose time is part of the step. */
        FASHION_MNIST
    }

    /**
     * What to measure.
     *
     * @param dataDir where Fashion-MNIST is, or null for the default place
     * @param warmup untimed batches first, at least; then more until the JIT is idle
     * @param profile after the timed runs, one more run that profiles the step (training or inference)
     */
    public record Options(
            ModelSpec spec,
            Workload workload,
            Source source,
            Path dataDir,
            int batch,
            int runs,
            int steps,
            int warmup,
            boolean profile) {
        public Options {
            if (spec == null || workload == null || source == null) {
                throw new SpikebitException("bench: spec, workload and source are required");
            }
            if (batch < 1 || runs < 1 || steps < 1 || warmup < 0) {
                throw new SpikebitException("bench: batch, runs and steps must be >= 1 and warmup >= 0, got batch "
                        + batch + ", runs " + runs + ", steps " + steps + ", warmup " + warmup);
            }
        }
    }

    /**
     * The measurement.
     *
     * @param imagesPerSecond one figure per timed run, in run order
     * @param cpuMsPerImage process CPU milliseconds (all threads) per image, one per timed run
     * @param warmupBatches batches run before the timed runs
     * @param peakHeapBytes sum of the heap pools' peaks over the timed runs
     * @param peakRss the process's peak resident set size, e.g. "1128 MiB", or "n/a"
     * @param profile the step profile, or null when none was asked for
     */
    public record Result(
            double[] imagesPerSecond,
            double[] cpuMsPerImage,
            int warmupBatches,
            long peakHeapBytes,
            String peakRss,
            StepProfile.Report profile) {
        public Result {
            imagesPerSecond = imagesPerSecond.clone();
            cpuMsPerImage = cpuMsPerImage.clone();
        }

        @Override
        public double[] imagesPerSecond() {
            return imagesPerSecond.clone();
        }

        @Override
        public double[] cpuMsPerImage() {
            return cpuMsPerImage.clone();
        }

        /** The median run's images per second (the upper one of the middle two for an even count). */
        public double medianImagesPerSecond() {
            return median(imagesPerSecond);
        }

        public double minImagesPerSecond() {
            return Arrays.stream(imagesPerSecond).min().orElseThrow();
        }

        public double maxImagesPerSecond() {
            return Arrays.stream(imagesPerSecond).max().orElseThrow();
        }

        /** The median of the runs' CPU milliseconds per image. */
        public double medianCpuMsPerImage() {
            return median(cpuMsPerImage);
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }
    }

    private final Options options;
    private final Batches batches;
    private final Runnable step;

    private ThroughputBench(Options options, Batches batches, Runnable step) {
        this.options = options;
        this.batches = batches;
        this.step = step;
    }

    /** Builds the model (seed 1), its batches and the step to time; nothing runs yet. */
    public static ThroughputBench prepare(Options options) {
        ModelSpec spec = options.spec();
        int batch = options.batch();
        SpikingClassifier net = QuantModels.build(spec, 1);
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
        Batches batches = switch (options.source()) {
            case SYNTHETIC -> Batches.fixed(Tensor.of(pixels, shape), labels);
            case FASHION_MNIST -> Batches.fashionMnist(spec, batch, options.dataDir());
        };
        boolean training = options.workload() == Workload.TRAIN;
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
        return new ThroughputBench(options, batches, step);
    }

    /**
     * Warms up, then times the runs; writes the warm-up and each run's figures to {@code log} as
     * they come (two-space indented lines).
     */
    public Result run(PrintStream log) {
        int batch = options.batch();
        int steps = options.steps();
        int runs = options.runs();
        int warmed = warmUp();
        log.printf("  warm-up: %d batches, until the JIT was idle%n", warmed);
        System.gc();
        resetPeaks();
        double[] rates = new double[runs];
        double[] cpuPerImage = new double[runs];
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            long cpuStart = ProcessCpuClock.nanos();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            rates[r] = (double) steps * batch / ((System.nanoTime() - start) / 1e9);
            cpuPerImage[r] = (ProcessCpuClock.nanos() - cpuStart) / 1e6 / ((double) steps * batch);
            log.printf("  run %d: %.0f images/s, %.2f CPU-ms per image%n", r + 1, rates[r], cpuPerImage[r]);
        }
        long peakHeap = peakHeapBytes();
        StepProfile.Report report = options.profile() ? StepProfile.measure(step, steps, batch) : null;
        return new Result(rates, cpuPerImage, warmed, peakHeap, StepProfile.peakRss(), report);
    }

    @Override
    public void close() {
        batches.close();
    }

    /**
     * Runs the options' warm-up batches, then windows of at least {@value #WINDOW} batches and half a
     * second until {@value #IDLE_WINDOWS} windows in a row pass with less than {@value #COMPILING_MS}
     * ms of JIT compilation each and a process CPU time per batch no more than 3% below the window
     * before (at most {@value #MAX_WARMUP_SECONDS} s in all); returns the batches run. A fixed count is not enough: the Vector API kernels run through slow Java fallbacks until
     * C2 has compiled them, and on a busy machine, or after a recompilation, that took over a minute
     * of batches in a PrintCompilation log. Nor is one short idle window: the JIT's time counts when
     * a compilation ends, so a window shorter than one large C2 compilation looked idle while the
     * kernels it compiled still ran in C1 code, and `bench infer` (30 ms a batch) stopped after
     * 15 batches in one run and 30 in the next, at 0.84 against 0.66 CPU-ms per image.
     */
    private int warmUp() {
        var jit = ManagementFactory.getCompilationMXBean();
        long deadline = System.nanoTime() + MAX_WARMUP_SECONDS * 1_000_000_000L;
        int done = 0;
        for (; done < options.warmup(); done++) {
            step.run();
        }
        int idle = 0;
        double previousCpu = Double.MAX_VALUE;
        while (idle < IDLE_WINDOWS && System.nanoTime() < deadline) {
            long compiledBefore = jit.getTotalCompilationTime();
            long start = System.nanoTime();
            long cpuStart = ProcessCpuClock.nanos();
            int batches = 0;
            for (; batches < WINDOW || System.nanoTime() - start < WINDOW_NANOS; batches++) {
                step.run();
            }
            done += batches;
            double cpu = (double) (ProcessCpuClock.nanos() - cpuStart) / batches;
            boolean quiet = jit.getTotalCompilationTime() - compiledBefore < COMPILING_MS;
            // Still getting cheaper: code compiled in an earlier window has only now taken over.
            boolean steady = cpu >= STEADY * previousCpu;
            idle = quiet && steady ? idle + 1 : 0;
            previousCpu = cpu;
        }
        return done;
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
