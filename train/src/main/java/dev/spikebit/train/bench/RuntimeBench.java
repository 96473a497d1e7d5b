package dev.spikebit.train.bench;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.profile.ProcessCpuClock;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.Dataset;
import dev.spikebit.data.DatasetChoice;
import dev.spikebit.data.DatasetName;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.runtime.ExecutionPath;
import dev.spikebit.runtime.Inference;
import dev.spikebit.runtime.Model;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.train.deploy.Deployment;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * {@code spikebit bench infer --model FILE.safetensors}: images per second of the runtime on a
 * deployed model against the training engine's evaluation mode on the same network, in one run,
 * at batch 1 and 64 (median of several timed runs).
 *
 * <p>Each engine runs in a JVM of its own (a worker process started with this JVM's flags and
 * class path), as JMH forks its benchmarks: in one JVM the two engines' Vector API code shares the
 * JIT's profiles of the vector classes, and whichever compiles second ran several times slower (the
 * runtime at batch 1: 232 images/s next to the training engine, 1,740 alone). One worker at a
 * time: the runtime, then the training engine, a new pair for each batch size; each warms up
 * until its rate settles, then runs the timed runs.
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
    /** Windows of {@link #RUN_NANOS} each engine runs untimed first, at least: 8 s. */
    private static final int WARM_UP_WINDOWS = 20;
    /** Compilation time (ms, all JIT threads) in a warm-up window below which the JIT counts as idle. */
    private static final long COMPILING_MS = 20;

    private static final int[] BATCHES = {1, 64};
    private static final int IMAGES = 256;
    /** Batch and rounds of the per-layer profile ({@code --profile}; the first round is not counted). */
    private static final int PROFILE_BATCH = 64;

    private static final int PROFILE_ROUNDS = 11;

    private RuntimeBench() {}

    /** One engine's median images/s at one batch size, and its median CPU time (all threads) per image. */
    public record Rate(String engine, int batch, double median, double min, double max, double cpuMsPerImage) {}

    /**
     * Runs the comparison and prints it to {@code out}; returns the rates (runtime and training
     * engine at each batch size).
     *
     * @param deployed   the deployed model file
     * @param checkpoint the training checkpoint it was deployed from, or null
     * @param dataDir    where the dataset is, or null for the usual places
     * @param runs       timed runs per engine and batch size; the median is reported
     * @param profile    whether to print, after the rates, the runtime's time per layer
     *                   ({@link Model#profile}, measured in a warmed-up worker of its own)
     */
    public static List<Rate> run(
            Path deployed, Path checkpoint, Path dataDir, int runs, boolean profile, PrintStream out) {
        Model model = Model.load(deployed);
        Deployment.requireTimeSteps(deployed, model.timeSteps());
        trainingNetwork(model, checkpoint); // fails here, with its message, rather than in a worker
        float[] pool = images(model, dataDir, IMAGES, out);
        int per = model.inputShape()[0] * model.inputShape()[1] * model.inputShape()[2];
        out.printf(
                "bench infer: %s (%s), T=%d, %,d-byte file; runtime threads %s; %d runs per engine, each engine in "
                        + "a JVM of its own%n",
                deployed,
                model.name(),
                model.timeSteps(),
                model.fileBytes(),
                System.getProperty(
                        "spikebit.runtime.threads",
                        String.valueOf(Runtime.getRuntime().availableProcessors())),
                runs);
        List<Rate> rates = new ArrayList<>();
        for (int batch : BATCHES) {
            Rate rr = measure("runtime", batch, runs, deployed, checkpoint, dataDir);
            Rate tr = measure("training engine (eval)", batch, runs, deployed, checkpoint, dataDir);
            rates.add(rr);
            rates.add(tr);
            out.printf(
                    "  batch %2d: runtime %,8.0f images/s (min %,.0f, max %,.0f), %.2f CPU-ms/image; training "
                            + "engine eval %,8.0f images/s (min %,.0f, max %,.0f), %.2f CPU-ms/image; ratio %.2fx (CPU time: "
                            + "%.2fx)%n",
                    batch,
                    rr.median(),
                    rr.min(),
                    rr.max(),
                    rr.cpuMsPerImage(),
                    tr.median(),
                    tr.min(),
                    tr.max(),
                    tr.cpuMsPerImage(),
                    rr.median() / tr.median(),
                    tr.cpuMsPerImage() / rr.cpuMsPerImage());
        }
        int count = Math.min(pool.length / per, 64);
        Inference run = model.infer(Arrays.copyOf(pool, count * per), count, ExecutionPath.AUTO);
        out.printf(
                "  per inference: %.0f adds, %.0f multiplies, %.2f uJ; layers: %s%n",
                run.adds(),
                run.multiplies(),
                run.energyPj() / 1e6,
                run.layers().stream()
                        .filter(l -> !l.path().isEmpty())
                        .map(l -> String.format("%s %s at density %.2f", l.name(), l.path(), l.inputDensity()))
                        .toList());
        if (profile) {
            printProfile(deployed, checkpoint, dataDir, out);
        }
        return rates;
    }

    /**
     * The runtime's time per layer at batch {@value #PROFILE_BATCH} on one thread ({@link Model#profile}:
     * wall time of the calling thread, all T steps, per image), in a new worker after its warm-up.
     */
    private static void printProfile(Path deployed, Path checkpoint, Path dataDir, PrintStream out) {
        List<String[]> rows;
        try (Worker worker = Worker.start("runtime", deployed, checkpoint, dataDir)) {
            worker.warmUp(PROFILE_BATCH);
            rows = worker.profile(PROFILE_BATCH);
        }
        double total = rows.stream().mapToDouble(r -> Double.parseDouble(r[0])).sum();
        out.printf(
                "  runtime profile, batch %d on one thread (Model.profile: wall time per layer, all T steps, "
                        + "%d rounds after one untimed):%n",
                PROFILE_BATCH, PROFILE_ROUNDS - 1);
        out.printf("    %-16s %-16s %10s %7s%n", "layer", "kind", "us/image", "share");
        for (String[] r : rows) {
            double micros = Double.parseDouble(r[0]);
            out.printf("    %-16s %-16s %10.1f %6.1f%%%n", r[2], r[1], micros, 100 * micros / total);
        }
        out.printf("    %-16s %-16s %10.1f %6.1f%%%n", "total", "", total, 100.0);
    }

    /**
     * One engine at one batch size in a new worker JVM: warm-up, then {@code runs} timed runs. Only
     * this worker exists while it is timed, so that no other JVM's background compilation or
     * collection takes one of the cores from it.
     */
    private static Rate measure(String engine, int batch, int runs, Path deployed, Path checkpoint, Path dataDir) {
        try (Worker worker =
                Worker.start(engine.startsWith("runtime") ? "runtime" : "training", deployed, checkpoint, dataDir)) {
            worker.warmUp(batch);
            double[] rate = new double[runs];
            double[] cpu = new double[runs];
            for (int k = 0; k < runs; k++) {
                double[] r = worker.time(batch);
                rate[k] = r[0];
                cpu[k] = r[1];
            }
            return rate(engine, batch, rate, cpu);
        }
    }

    /**
     * A worker's entry point: {@code RuntimeBench ENGINE MODEL CHECKPOINT|- DATA_DIR|-}, ENGINE
     * {@code runtime} or {@code training}. Prints {@code ready}, then answers on standard output
     * each line of standard input: {@code warm B} (warm up at batch B, then {@code ok}),
     * {@code time B} (one timed run: images/s and CPU-ms per image), {@code profile B} (the runtime's
     * {@link Model#profile}: a line with the number of layers, then per layer a line
     * {@code MICROS KIND NAME}), {@code quit}.
     */
    public static void main(String[] args) throws IOException {
        String engine = args[0];
        Model model = Model.load(Path.of(args[1]));
        Path checkpoint = args[2].equals("-") ? null : Path.of(args[2]);
        Path dataDir = args[3].equals("-") ? null : Path.of(args[3]);
        SpikingClassifier network = engine.equals("training") ? trainingNetwork(model, checkpoint) : null;
        float[] pool = images(model, dataDir, IMAGES, new PrintStream(OutputStream.nullOutputStream()));
        int[] shape = model.inputShape();
        int per = shape[0] * shape[1] * shape[2];
        int available = pool.length / per;
        var answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        answers.println("ready");
        var requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = requests.readLine()) != null && !line.equals("quit"); ) {
            String[] words = line.split(" ");
            int batch = Integer.parseInt(words[1]);
            float[][] batches = new float[Math.max(1, available / batch)][];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = Arrays.copyOfRange(pool, i * batch * per, (i + 1) * batch * per);
            }
            IntConsumer step = network == null
                    ? i -> model.infer(batches[i % batches.length], batch, ExecutionPath.AUTO)
                    : i -> {
                        try (var scope = NoGrad.enter()) {
                            network.logits(Tensor.of(
                                    batches[i % batches.length].clone(), batch, shape[0], shape[1], shape[2]));
                        }
                    };
            if (words[0].equals("warm")) {
                warmUp(step, batch);
                answers.println("ok");
            } else if (words[0].equals("profile")) {
                var times = model.profile(batches[0], batch, ExecutionPath.AUTO, PROFILE_ROUNDS);
                answers.println(times.size());
                times.forEach(t -> answers.println(t.microsPerImage() + " " + t.kind() + " " + t.name()));
            } else {
                double[] cpu = new double[1];
                double rate = timed(step, batch, RUN_NANOS, cpu);
                answers.println(rate + " " + cpu[0]);
            }
        }
    }

    /** A JVM running one engine for {@link #run}, timed on request. */
    private static final class Worker implements AutoCloseable {
        private final String engine;
        private final Process process;
        private final BufferedReader answers;
        private final PrintWriter requests;

        private Worker(String engine, Process process) {
            this.engine = engine;
            this.process = process;
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.requests = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        /** Starts {@code java <this JVM's flags> -cp <this class path> RuntimeBench ENGINE ...} and waits for it. */
        static Worker start(String engine, Path deployed, Path checkpoint, Path dataDir) {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                // A profiler or debugger attached to the parent stays with the parent.
                if (!flag.startsWith("-XX:StartFlightRecording")
                        && !flag.startsWith("-agentlib")
                        && !flag.startsWith("-javaagent")) {
                    command.add(flag);
                }
            }
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    RuntimeBench.class.getName(),
                    engine,
                    deployed.toAbsolutePath().toString(),
                    checkpoint == null ? "-" : checkpoint.toAbsolutePath().toString(),
                    dataDir == null ? "-" : dataDir.toAbsolutePath().toString()));
            try {
                Process p = new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                Worker w = new Worker(engine, p);
                w.expect("ready");
                return w;
            } catch (IOException e) {
                throw new SpikebitException(
                        "bench infer: cannot start the " + engine + " worker JVM: " + e.getMessage());
            }
        }

        void warmUp(int batch) {
            requests.println("warm " + batch);
            expect("ok");
        }

        /** One timed run: {images/s, CPU-ms per image}. */
        double[] time(int batch) {
            requests.println("time " + batch);
            String[] words = expect(null).split(" ");
            return new double[] {Double.parseDouble(words[0]), Double.parseDouble(words[1])};
        }

        /** The runtime's {@link Model#profile} at this batch: per layer {micros, kind, name}. */
        List<String[]> profile(int batch) {
            requests.println("profile " + batch);
            int layers = Integer.parseInt(expect(null));
            List<String[]> rows = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                rows.add(expect(null).split(" ", 3));
            }
            return rows;
        }

        private String expect(String word) {
            try {
                String line = answers.readLine();
                if (line == null || word != null && !line.equals(word)) {
                    throw new SpikebitException("bench infer: the " + engine + " worker "
                            + (line == null
                                    ? "stopped (exit code " + process.waitFor() + "); its errors are above"
                                    : "answered \"" + line + "\" instead of \"" + word + "\""));
                }
                return line;
            } catch (IOException | InterruptedException e) {
                throw new SpikebitException("bench infer: lost the " + engine + " worker: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            requests.println("quit");
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs {@code step} for at least {@value #WARM_UP_WINDOWS} windows and then until its rate
     * settles (two windows in a row within 5%) while the JIT is idle (less than
     * {@value #COMPILING_MS} ms of compilation in each of the two). The Vector API kernels are slow
     * until C2 has compiled them, which takes several seconds of CPU; the rate can plateau on the
     * way there, so a test for a steady rate alone stopped too early (437, 908, 1,059 images/s in
     * the first timed runs), and a kernel that only the event path reaches could still be compiled
     * during the timed runs (two windows at 1,700-2,400 images/s among 4,000s, with a compiler
     * thread taking the second core).
     */
    private static void warmUp(IntConsumer step, int batch) {
        var jit = ManagementFactory.getCompilationMXBean();
        double previous = 0;
        long previousCompiling = Long.MAX_VALUE;
        for (int window = 0; window < 3 * WARM_UP_WINDOWS; window++) {
            long compiledBefore = jit.getTotalCompilationTime();
            double rate = timed(step, batch, RUN_NANOS, new double[1]);
            long compiling = jit.getTotalCompilationTime() - compiledBefore;
            if (window >= WARM_UP_WINDOWS
                    && Math.abs(rate - previous) <= 0.05 * previous
                    && Math.max(compiling, previousCompiling) < COMPILING_MS) {
                return;
            }
            previous = rate;
            previousCompiling = compiling;
        }
    }

    private static Rate rate(String engine, int batch, double[] values, double[] cpu) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] cpuSorted = cpu.clone();
        Arrays.sort(cpuSorted);
        return new Rate(
                engine,
                batch,
                sorted[sorted.length / 2],
                sorted[0],
                sorted[sorted.length - 1],
                cpuSorted[cpuSorted.length / 2]);
    }

    /**
     * Images per second of {@code step} (one batch per call), run for at least {@code nanos};
     * {@code cpuMsPerImage[0]} receives the process's CPU time per image, which a machine shared
     * with other work disturbs less than the wall clock.
     */
    private static double timed(IntConsumer step, int batch, long nanos, double[] cpuMsPerImage) {
        long cpuStart = ProcessCpuClock.nanos();
        long start = System.nanoTime();
        int calls = 0;
        long elapsed;
        do {
            step.accept(calls++);
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        cpuMsPerImage[0] = (ProcessCpuClock.nanos() - cpuStart) / 1e6 / ((double) calls * batch);
        return (double) calls * batch / (elapsed / 1e9);
    }

    /** The training network of the deployed model: from the checkpoint, or the zoo architecture. */
    public static SpikingClassifier trainingNetwork(Model model, Path checkpoint) {
        SpikingClassifier network;
        if (checkpoint != null) {
            Checkpoint ckpt = Checkpoint.load(checkpoint);
            network = QuantModels.build(ckpt.spec(), 0, ckpt);
            ckpt.restoreModel(network);
        } else {
            boolean real = model.layers().stream().anyMatch(l -> l instanceof Layer.Neuron n && n.realOutput());
            ModelSpec spec = ModelZoo.defaultSpec(model.name())
                    .withSpikes(real ? SpikeKind.REAL : SpikeKind.BINARY)
                    .withWeights(WeightKind.BINARY)
                    .withTimeSteps(model.timeSteps());
            network = QuantModels.build(spec, 1);
        }
        network.eval();
        return network;
    }

    /** Up to {@code count} real test images if the model takes Fashion-MNIST's shape, else random ones. */
    public static float[] images(Model model, Path dataDir, int count, PrintStream out) {
        int[] shape = model.inputShape();
        if (Arrays.equals(shape, new int[] {1, 28, 28})) {
            try {
                Dataset test = DatasetChoice.load(DatasetName.FASHION_MNIST, dataDir, 1, count)
                        .test();
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
