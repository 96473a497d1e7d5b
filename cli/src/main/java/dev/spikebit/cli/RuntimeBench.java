package dev.spikebit.cli;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.graph.Layer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * {@code spikebit bench infer --model FILE.safetensors}: images per second of the runtime on a
 * deployed model against the training engine's evaluation mode on the same network, in one run,
 * at batch 1 and 64 (median of several timed runs, the two engines interleaved so that a busy
 * machine slows both alike).
 *
 * <p>The training engine runs the zoo network the file was deployed from: restored from
 * {@code --checkpoint} when given, otherwise built with the same architecture, spikes and binary
 * weights (the engine's eval mode does the same dense work whatever the weights' values). Images
 * are real Fashion-MNIST test images when the model takes 1x28x28 input and the data is there
 * (spike density, and so the runtime's event-driven path, depends on real input), else uniform
 * random pixels.
 */
public final class RuntimeBench {
    /** Minimum wall time of one timed run. */
    private static final long RUN_NANOS = 400_000_000L;

    private RuntimeBench() {
    }

    /** One engine's median images/s at one batch size, and its median CPU time (all threads) per image. */
    public record Rate(String engine, int batch, double median, double min, double max, double cpuMsPerImage) {
    }

    /**
     * Runs the comparison and prints it to {@code out}; returns the rates (runtime and training
     * engine at each batch size).
     *
     * @param deployed   the deployed model file
     * @param checkpoint the training checkpoint it was deployed from, or null
     * @param dataDir    where the dataset is, or null for the usual places
     * @param runs       timed runs per engine and batch size; the median is reported
     */
    public static java.util.List<Rate> run(Path deployed, Path checkpoint, Path dataDir, int runs, PrintStream out) {
        Model model = Model.load(deployed);
        SpikingClassifier network = trainingNetwork(model, checkpoint);
        int[] shape = model.inputShape();
        float[] pool = images(model, dataDir, 256, out);
        int per = shape[0] * shape[1] * shape[2];
        int available = pool.length / per;
        out.printf("bench infer: %s (%s), T=%d, %,d-byte file; runtime threads %s; %d runs per engine%n", deployed,
                model.name(), model.timeSteps(), model.fileBytes(),
                System.getProperty("spikebit.runtime.threads", String.valueOf(Runtime.getRuntime().availableProcessors())),
                runs);
        java.util.List<Rate> rates = new java.util.ArrayList<>();
        for (int batch : new int[] {1, 64}) {
            float[][] batches = new float[Math.max(1, available / batch)][];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = Arrays.copyOfRange(pool, i * batch * per, (i + 1) * batch * per);
            }
            IntConsumer runtime = i -> model.infer(batches[i % batches.length], batch, ExecutionPath.AUTO);
            IntConsumer training = i -> {
                try (var scope = NoGrad.enter()) {
                    network.logits(Tensor.of(batches[i % batches.length].clone(), batch, shape[0], shape[1], shape[2]));
                }
            };
            // Warm-up: both engines compile their hot loops (the Vector API is slow until compiled).
            timed(runtime, batch, 8 * RUN_NANOS, new double[1]);
            timed(training, batch, 8 * RUN_NANOS, new double[1]);
            double[] r = new double[runs];
            double[] t = new double[runs];
            double[] rc = new double[runs];
            double[] tc = new double[runs];
            for (int k = 0; k < runs; k++) {
                double[] cpu = new double[1];
                r[k] = timed(runtime, batch, RUN_NANOS, cpu);
                rc[k] = cpu[0];
                t[k] = timed(training, batch, RUN_NANOS, cpu);
                tc[k] = cpu[0];
            }
            Rate rr = rate("runtime", batch, r, rc);
            Rate tr = rate("training engine (eval)", batch, t, tc);
            rates.add(rr);
            rates.add(tr);
            out.printf("  batch %2d: runtime %,8.0f images/s (min %,.0f, max %,.0f), %.2f CPU-ms/image; training engine "
                    + "eval %,8.0f images/s (min %,.0f, max %,.0f), %.2f CPU-ms/image; ratio %.2fx (CPU time: %.2fx)%n",
                    batch, rr.median(), rr.min(), rr.max(), rr.cpuMsPerImage(), tr.median(), tr.min(), tr.max(),
                    tr.cpuMsPerImage(), rr.median() / tr.median(), tr.cpuMsPerImage() / rr.cpuMsPerImage());
        }
        Inference run = model.infer(Arrays.copyOf(pool, Math.min(available, 64) * per), Math.min(available, 64),
                ExecutionPath.AUTO);
        out.printf("  per inference: %.0f adds, %.0f multiplies, %.2f uJ; layers: %s%n", run.adds(), run.multiplies(),
                run.energyPj() / 1e6, run.layers().stream().filter(l -> !l.path().isEmpty())
                        .map(l -> String.format("%s %s at density %.2f", l.name(), l.path(), l.inputDensity())).toList());
        return rates;
    }

    private static Rate rate(String engine, int batch, double[] values, double[] cpu) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] cpuSorted = cpu.clone();
        Arrays.sort(cpuSorted);
        return new Rate(engine, batch, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1],
                cpuSorted[cpuSorted.length / 2]);
    }

    /**
     * Images per second of {@code step} (one batch per call), run for at least {@code nanos};
     * {@code cpuMsPerImage[0]} receives the process's CPU time per image, which a machine shared
     * with other work disturbs less than the wall clock.
     */
    private static double timed(IntConsumer step, int batch, long nanos, double[] cpuMsPerImage) {
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        int calls = 0;
        long elapsed;
        do {
            step.accept(calls++);
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        cpuMsPerImage[0] = (processCpuNanos() - cpuStart) / 1e6 / ((double) calls * batch);
        return (double) calls * batch / (elapsed / 1e9);
    }

    private static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean bean ? bean.getProcessCpuTime() : 0L;
    }

    /** The training network of the deployed model: from the checkpoint, or the zoo architecture. */
    static SpikingClassifier trainingNetwork(Model model, Path checkpoint) {
        SpikingClassifier network;
        if (checkpoint != null) {
            Checkpoint ckpt = Checkpoint.load(checkpoint);
            network = Models.build(ckpt.spec(), 0);
            ckpt.restoreModel(network);
        } else {
            boolean real = model.layers().stream().anyMatch(l -> l instanceof Layer.Neuron n && n.realOutput());
            ModelSpec spec = ModelZoo.defaultSpec(model.name()).withSpikes(real ? "real" : "binary")
                    .withWeights("binary").withTimeSteps(model.timeSteps());
            network = Models.build(spec, 1);
        }
        network.eval();
        return network;
    }

    /** Up to {@code count} real test images if the model takes Fashion-MNIST's shape, else random ones. */
    static float[] images(Model model, Path dataDir, int count, PrintStream out) {
        int[] shape = model.inputShape();
        if (Arrays.equals(shape, new int[] {1, 28, 28})) {
            try {
                Dataset test = DatasetChoice.load("fashion-mnist", dataDir, 1, count).test();
                out.printf("images: %d Fashion-MNIST test images%n", Math.min(count, test.size()));
                return Samples.first(test, count);
            } catch (RuntimeException e) {
                out.printf("images: random (Fashion-MNIST not available: %s)%n", e.getMessage());
            }
        }
        SplittableRandom rng = new SplittableRandom(1);
        float[] images = new float[count * shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) rng.nextDouble();
        }
        return images;
    }
}
