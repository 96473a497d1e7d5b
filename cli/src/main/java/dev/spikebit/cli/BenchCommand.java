package dev.spikebit.cli;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.bench.RuntimeBench;
import dev.spikebit.train.bench.ThroughputBench;
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

    @Option(
            names = "--warmup",
            defaultValue = "10",
            description = "Untimed batches first, at least; then more until the JIT is idle. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(
            names = "--profile",
            description = "With 'train' or 'infer' of a zoo model: after the timed runs, one more run that reports the "
                    + "share of the step time per kind of operation (forward and backward), GC pauses and allocation "
                    + "per step. With 'infer --model FILE': the deployed runtime's time per layer.")
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
            RuntimeBench.run(java.nio.file.Path.of(model), checkpoint, dataDir, runs, profile, System.out);
            return 0;
        }
        ThroughputBench.Workload workload = switch (what) {
            case "train" -> ThroughputBench.Workload.TRAIN;
            case "infer" -> ThroughputBench.Workload.INFER;
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
        ThroughputBench.Source source = switch (dataset) {
            case "synthetic" -> ThroughputBench.Source.SYNTHETIC;
            case "fashion-mnist" -> ThroughputBench.Source.FASHION_MNIST;
            default ->
                throw new dev.spikebit.core.SpikebitException(
                        "bench: --dataset must be synthetic or fashion-mnist, got \"" + dataset + "\"");
        };
        var options = new ThroughputBench.Options(spec, workload, source, dataDir, batch, runs, steps, warmup, profile);
        ThroughputBench.Result result;
        try (ThroughputBench bench = ThroughputBench.prepare(options)) {
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
            result = bench.run(System.err);
        }
        System.out.printf(
                "%s %s: %.4g images/s (median of %d runs of %d batches; min %.4g, max %.4g), "
                        + "%.2f CPU-ms per image, peak heap %d MiB, peak RSS %s%n",
                what,
                model,
                result.medianImagesPerSecond(),
                runs,
                steps,
                result.minImagesPerSecond(),
                result.maxImagesPerSecond(),
                result.medianCpuMsPerImage(),
                result.peakHeapBytes() >> 20,
                result.peakRss());
        if (result.profile() != null) {
            result.profile().print(System.out);
        }
        return 0;
    }
}
