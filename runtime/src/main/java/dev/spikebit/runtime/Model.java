package dev.spikebit.runtime;

import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.io.DeployedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deployed spiking network ready to run: the entry point of the runtime (docs/methods.md 2, the
 * standard form; docs/methods.md 4, the counters).
 *
 * <pre>
 *   Model model = Model.load(Path.of("fmnist-cnn.safetensors"));
 *   int label = model.predict(image);                  // one image [C, H, W], row-major
 *   Inference run = model.infer(images, 64, ExecutionPath.AUTO);
 * </pre>
 *
 * A model is immutable and safe for concurrent callers: each call gets its own buffers. A batch
 * is run by the runtime's threads ({@code spikebit.runtime.threads}), each thread claiming whole
 * images one after the other; the result does not depend on which thread ran which image.
 */
public final class Model {
    private final Path path;
    private final long fileBytes;
    private final Plan plan;
    /** Executors of finished calls, per path, ready for the next (one thread uses one at a time). */
    private final Map<ExecutionPath, Queue<Executor>> idle = new EnumMap<>(ExecutionPath.class);

    private Model(Path path, long fileBytes, Graph graph) {
        this.path = path;
        this.fileBytes = fileBytes;
        this.plan = new Plan(graph);
        KernelWarmUp.start(plan.layers);
        for (ExecutionPath p : ExecutionPath.values()) {
            idle.put(p, new ConcurrentLinkedQueue<>());
        }
    }

    /**
     * Reads and checks a deployed file ({@code deployed-1}, docs/reverb.md 4, or {@code deployed-2}
     * with sub-bit layers, docs/s2nn.md 6).
     */
    public static Model load(Path path) {
        Graph graph = DeployedReader.read(path);
        try {
            return new Model(path, Files.size(path), graph);
        } catch (IOException e) {
            throw new RuntimeModelException(path + ": cannot read (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new RuntimeModelException(path + ": " + e.getMessage(), e);
        }
    }

    /** The checked layer graph, for the {@link ReferenceExecutor} and the training side's accounting. */
    public Graph graph() {
        return plan.graph;
    }

    /** The zoo name of the network. */
    public String name() {
        return plan.graph.model();
    }

    public Path path() {
        return path;
    }

    public int timeSteps() {
        return plan.graph.timeSteps();
    }

    /** One image's shape {@code [C, H, W]}. */
    public int[] inputShape() {
        return plan.graph.inputShape();
    }

    public int numClasses() {
        return plan.graph.numClasses();
    }

    public List<Layer> layers() {
        return plan.layers;
    }

    /**
     * The layers that layer {@code i} reads: {@code [i - 1]} in a chain, -1 for the image, the two
     * operands of a residual add.
     */
    public int[] sources(int i) {
        return plan.sources[i].clone();
    }

    /** Each layer's output shape per sample and step. */
    public List<int[]> outputShapes() {
        return plan.graph.shapes();
    }

    /** Size of the file. */
    public long fileBytes() {
        return fileBytes;
    }

    /**
     * The information the file carries, in bytes: one bit per +-1 weight and 32 per float; for a
     * sub-bit convolution its codebook ({@code 9} bits per codeword), its indices ({@code eta} bits
     * per kernel) and its negation bits (one per output channel); {@code ceil(bits / 8)} in all
     * (without the padding of packed rows and code streams).
     */
    public long informationBytes() {
        long bits = 0;
        for (Layer layer : plan.layers) {
            bits += switch (layer) {
                case Layer.Normalize n -> 64L * n.mean().length;
                case Layer.Conv c -> 32L * (c.weight().length + (c.bias() == null ? 0 : c.bias().length));
                case Layer.SignConv c -> (long) c.signs().rows() * c.signs().rowLength();
                case Layer.CodewordConv c -> 9L * c.codewords() + (long) c.eta() * c.indices().length + c.outChannels();
                case Layer.Linear l -> 32L * (l.weight().length + (l.bias() == null ? 0 : l.bias().length));
                case Layer.SignLinear l -> (long) l.signs().rows() * l.signs().rowLength();
                case Layer.Affine a -> 64L * a.scale().length;
                case Layer.Neuron n ->
                    32L
                            * (n.threshold().length
                                    + (n.bias() == null ? 0 : n.bias().length)
                                    + (n.scale() == null ? 0 : n.scale().length));
                default -> 0;
            };
        }
        return (bits + 7) / 8;
    }

    /** The predicted class of one image {@code [C, H, W]}. */
    public int predict(float[] image) {
        return predict(image, 1)[0];
    }

    /** The predicted class of each of {@code batch} images laid out one after the other. */
    public int[] predict(float[] images, int batch) {
        return infer(images, batch, ExecutionPath.AUTO).predictions();
    }

    /** Class scores {@code [batch, numClasses]}, the mean over T of the last layer. */
    public float[] logits(float[] images, int batch) {
        return infer(images, batch, ExecutionPath.AUTO).logits();
    }

    /** Runs a batch on all the runtime's threads, with counters. */
    public Inference infer(float[] images, int batch, ExecutionPath path) {
        return infer(images, batch, path, Workers.size());
    }

    /**
     * Runs a batch with counters on at most {@code threads} threads (the caller's plus the
     * runtime's pool).
     */
    public Inference infer(float[] images, int batch, ExecutionPath path, int threads) {
        checkInput(images, batch);
        int parts = Math.max(1, Math.min(batch, threads));
        float[] logits = new float[batch * numClasses()];
        Executor[] executors = new Executor[parts];
        List<Future<?>> tasks = new ArrayList<>();
        // Each thread claims the next image until none is left, rather than a fixed share: images
        // differ in cost with their spikes, and a thread that another process held back leaves its
        // images to the others instead of making them wait. An image's logits do not depend on
        // the thread that ran it.
        AtomicInteger next = new AtomicInteger();
        for (int part = 0; part < parts; part++) {
            Executor executor = take(path);
            executors[part] = executor;
            Runnable work = () -> {
                for (int b = next.getAndIncrement(); b < batch; b = next.getAndIncrement()) {
                    executor.run(images, b, logits);
                }
            };
            if (part == parts - 1) {
                work.run();
            } else {
                tasks.add(Workers.pool().submit(work));
            }
        }
        for (Future<?> task : tasks) {
            await(task);
        }
        Inference result = new Inference(logits, batch, numClasses(), stats(executors, batch));
        // Only after every task has finished (a failed call drops its executors).
        idle.get(path).addAll(Arrays.asList(executors));
        return result;
    }

    /**
     * Times each layer on {@code batch} images run one after the other on the calling thread,
     * {@code rounds} times (the first round is not counted, so that buffers exist and, in a warm
     * JVM, nothing is timed twice): where an inference spends its time, layer by layer
     * ({@code spikebit bench infer --profile}). The timing adds two clock reads per layer and step.
     */
    public List<LayerTime> profile(float[] images, int batch, ExecutionPath path, int rounds) {
        if (rounds < 2) {
            throw new IllegalArgumentException("profile: at least 2 rounds (the first is not counted), not " + rounds);
        }
        checkInput(images, batch);
        Executor executor = take(path);
        float[] logits = new float[batch * numClasses()];
        executor.timed = true;
        try {
            for (int round = 0; round < rounds; round++) {
                if (round == 1) {
                    executor.resetCounters();
                }
                for (int b = 0; b < batch; b++) {
                    executor.run(images, b, logits);
                }
            }
        } finally {
            executor.timed = false;
        }
        long counted = (long) batch * (rounds - 1);
        List<LayerTime> out = new ArrayList<>();
        for (int i = 0; i < plan.layers.size(); i++) {
            Layer layer = plan.layers.get(i);
            out.add(new LayerTime(layer.name(), layer.kind(), executor.nanos[i] / 1e3 / counted));
        }
        executor.resetCounters();
        idle.get(path).add(executor);
        return out;
    }

    private void checkInput(float[] images, int batch) {
        int imageSize = plan.inSizes[0];
        if (batch < 1 || (long) batch * imageSize != images.length) {
            throw new RuntimeModelException("model " + name() + ": " + images.length + " input values are not " + batch
                    + " images of shape " + Arrays.toString(inputShape()));
        }
    }

    /** Waits for a part of the batch; its failure is rethrown as it was thrown. */
    private static void await(Future<?> task) {
        try {
            task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeModelException("interrupted while running a batch");
        }
    }

    /** An idle executor for {@code path} with its counters at zero, or a new one. */
    private Executor take(ExecutionPath path) {
        Executor e = idle.get(path).poll();
        if (e == null) {
            return new Executor(plan, path);
        }
        e.resetCounters();
        return e;
    }

    private List<LayerStats> stats(Executor[] executors, int batch) {
        List<LayerStats> out = new ArrayList<>();
        for (int i = 0; i < plan.layers.size(); i++) {
            Layer layer = plan.layers.get(i);
            long inputs = 0;
            long nonZero = 0;
            double ops = 0;
            long dense = 0;
            long events = 0;
            long spikes = 0;
            long neurons = 0;
            for (Executor e : executors) {
                inputs += e.inputs[i];
                nonZero += e.nonZero[i];
                ops += e.ops[i];
                dense += e.denseRuns[i];
                events += e.eventRuns[i];
                spikes += e.spikes[i];
                neurons += e.neurons[i];
            }
            boolean weights = plan.fanOut[i] != null;
            if (!weights && !(layer instanceof Layer.Neuron)) {
                continue;
            }
            double density = inputs == 0 ? Double.NaN : (double) nonZero / inputs;
            double rate = neurons == 0 ? Double.NaN : (double) spikes / neurons;
            double perImage = ops / batch;
            out.add(new LayerStats(
                    layer.name(),
                    layer.kind(),
                    density,
                    rate,
                    plan.multiplies[i] ? 0 : perImage,
                    plan.multiplies[i] ? perImage : 0,
                    dense,
                    events));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Model[" + name() + ", T=" + timeSteps() + ", input " + Arrays.toString(inputShape()) + ", "
                + numClasses() + " classes, " + plan.layers.size() + " layers, " + path + "]";
    }
}
