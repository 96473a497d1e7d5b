package dev.spikebit.core.checkpoint;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.TensorFiles;
import dev.spikebit.core.kernels.ComputeEnvironment;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Module.StateEntry;
import dev.spikebit.core.optim.Optimizer;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training checkpoint in safetensors: the model's parameters and buffers under {@code model.},
 * the optimizer's state under {@code optim.}, and in the metadata the model description
 * ({@link ModelSpec} as JSON under {@code spikebit.model}) plus free-form training information
 * (epoch, seed, options) so that {@code --resume} can continue exactly, and the
 * {@link ComputeEnvironment} that wrote it (GEMM backend, threads, JDK, CPU features) as JSON under
 * {@code spikebit.environment}: the numbers are bitwise repeatable only in the same environment.
 *
 * <p>Parameter names are PyTorch-style dotted paths, so the {@code model.} tensors load into an
 * equivalent PyTorch module after stripping the prefix. Files are written atomically.
 */
public record Checkpoint(
        Path source,
        ModelSpec spec,
        Map<String, StateEntry> model,
        Map<String, float[]> optimizer,
        Map<String, String> info) {
    public static final String FORMAT_KEY = "spikebit.format";
    public static final String FORMAT = "checkpoint-1";
    public static final String MODEL_KEY = "spikebit.model";
    public static final String ENVIRONMENT_KEY = "spikebit.environment";
    private static final String MODEL_PREFIX = "model.";
    private static final String OPTIM_PREFIX = "optim.";

    /**
     * Writes {@code model} (and {@code optimizer}, if not null) to {@code path} atomically. A state
     * holding NaN, an infinity or a negative variance is refused before anything is written, so a
     * checkpoint on disk is always one that {@link #load} accepts.
     */
    public static void save(Path path, ModelSpec spec, Module model, Optimizer optimizer, Map<String, String> info) {
        List<TensorEntry> entries = new ArrayList<>();
        model.stateDict().forEach((name, e) -> {
            String problem = TensorChecks.problem(MODEL_PREFIX + name, e.data());
            if (problem != null) {
                throw new SpikebitException(path + ": not written, " + problem);
            }
            entries.add(TensorEntry.ofFloats(MODEL_PREFIX + name, longs(e.shape()), e.data()));
        });
        if (optimizer != null) {
            optimizer.state().forEach((name, values) -> {
                String problem = TensorChecks.problem(OPTIM_PREFIX + name, values);
                if (problem != null) {
                    throw new SpikebitException(path + ": not written, " + problem);
                }
                entries.add(TensorEntry.ofFloats(OPTIM_PREFIX + name, new long[] {values.length}, values));
            });
        }
        Map<String, String> metadata = new LinkedHashMap<>(info);
        metadata.put(FORMAT_KEY, FORMAT);
        metadata.put(MODEL_KEY, spec.toJson());
        metadata.put(ENVIRONMENT_KEY, ComputeEnvironment.current().toJson());
        TensorFiles.write(path, entries, metadata);
    }

    /**
     * Reads a checkpoint; every problem is a {@link SpikebitException} naming the file. Besides the
     * safetensors structure, it checks the model description's ranges ({@link ModelSpec}) and that
     * every float is finite, batch-norm running variances and Adam's second moments are not
     * negative (see {@link TensorChecks}); the message names the tensor.
     */
    public static Checkpoint load(Path path) {
        SafeTensorsFile file = TensorFiles.read(path);
        String format = file.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new SpikebitException(path + ": not a spikebit checkpoint (metadata " + FORMAT_KEY + " is "
                    + (format == null ? "missing" : "\"" + format + "\"") + ", expected \"" + FORMAT + "\")");
        }
        String specJson = file.metadata().get(MODEL_KEY);
        if (specJson == null) {
            throw new SpikebitException(path + ": checkpoint has no model description (metadata " + MODEL_KEY + ")");
        }
        ModelSpec spec = ModelSpec.fromJson(specJson, path.toString());
        Map<String, StateEntry> model = new LinkedHashMap<>();
        Map<String, float[]> optim = new LinkedHashMap<>();
        for (TensorEntry e : file.tensors().values()) {
            if (e.name().startsWith(MODEL_PREFIX)) {
                model.put(e.name().substring(MODEL_PREFIX.length()), new StateEntry(checked(path, e), ints(path, e)));
            } else if (e.name().startsWith(OPTIM_PREFIX)) {
                optim.put(e.name().substring(OPTIM_PREFIX.length()), checked(path, e));
            } else {
                throw new SpikebitException(
                        path + ": unexpected tensor \"" + e.name() + "\" (expected model.* or optim.*)");
            }
        }
        Map<String, String> info = new LinkedHashMap<>(file.metadata());
        info.remove(FORMAT_KEY);
        info.remove(MODEL_KEY);
        return new Checkpoint(path, spec, model, optim, info);
    }

    /** Copies the saved parameters and buffers into {@code target}, which must have the same architecture. */
    public void restoreModel(Module target) {
        target.loadStateDict(model, source.toString());
    }

    /** Restores the optimizer state; a checkpoint without one is an error. */
    public void restoreOptimizer(Optimizer target) {
        if (optimizer.isEmpty()) {
            throw new SpikebitException(source + ": this checkpoint holds no optimizer state and cannot be resumed");
        }
        target.loadState(optimizer, source.toString());
    }

    /** The environment that wrote this checkpoint; empty for checkpoints older than the record. */
    public Optional<ComputeEnvironment> environment() {
        String json = info.get(ENVIRONMENT_KEY);
        return json == null ? Optional.empty() : Optional.of(ComputeEnvironment.fromJson(json, source.toString()));
    }

    /**
     * The most weights a model built from this checkpoint's description may have: a generous
     * multiple of the values it stores (sub-bit layers store an index where a kernel has 9
     * weights), so that a damaged description cannot make the builder allocate without bound.
     */
    public long weightBudget() {
        long stored = 0;
        for (StateEntry e : model.values()) {
            stored += e.data().length;
        }
        return 16 * stored + (1 << 20);
    }

    public String info(String key, String fallback) {
        return info.getOrDefault(key, fallback);
    }

    private static float[] checked(Path path, TensorEntry e) {
        float[] values = floats(path, e);
        String problem = TensorChecks.problem(e.name(), values);
        if (problem != null) {
            throw new SpikebitException(path + ": " + problem);
        }
        return values;
    }

    private static float[] floats(Path path, TensorEntry e) {
        if (e.dtype() != dev.spikebit.runtime.io.DType.F32) {
            throw new SpikebitException(path + ": tensor \"" + e.name() + "\" is " + e.dtype() + ", expected F32");
        }
        return e.toFloats();
    }

    private static int[] ints(Path path, TensorEntry e) {
        long[] s = e.shape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            if (s[i] > Integer.MAX_VALUE) {
                throw new SpikebitException(path + ": tensor \"" + e.name() + "\" has a dimension of " + s[i]);
            }
            out[i] = (int) s[i];
        }
        return out;
    }

    private static long[] longs(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i];
        }
        return out;
    }
}
