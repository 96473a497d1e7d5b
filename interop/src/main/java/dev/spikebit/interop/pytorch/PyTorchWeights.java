package dev.spikebit.interop.pytorch;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.io.TensorFiles;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.Module;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.runtime.io.DType;
import dev.spikebit.runtime.io.SafeTensorsFile;
import dev.spikebit.runtime.io.TensorEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PyTorch {@code state_dict} saved with safetensors, in and out of a zoo model, through a
 * {@link StateDictLayout}. Float32 tensors are copied bit for bit both ways; a tensor missing from
 * the file, one the layout does not account for, one of another shape or of another dtype is an
 * error naming it.
 */
public final class PyTorchWeights {
    private PyTorchWeights() {}

    /**
     * Builds {@code base}'s model with the file's weights. Neuron constants stored in the file
     * (snnTorch's {@code beta} and {@code threshold}) set the spec's {@code tau} and {@code vth}.
     */
    public static SpikingClassifier read(Path file, StateDictLayout layout, ModelSpec base) {
        SafeTensorsFile f = TensorFiles.read(file);
        ModelSpec spec = withConstants(file, f, layout, base);
        SpikingClassifier model = QuantModels.build(spec, 0);
        Map<String, Module.StateEntry> state = new LinkedHashMap<>();
        Set<String> used = new HashSet<>(layout.counters());
        used.addAll(layout.constants().keySet());
        for (var e : model.stateDict().entrySet()) {
            String torchName = layout.tensors().get(e.getKey());
            if (torchName == null) {
                throw new SpikebitException(
                        "layout " + layout.name() + " gives no PyTorch name for spikebit tensor \"" + e.getKey()
                                + "\" (shape " + Arrays.toString(e.getValue().shape()) + ")");
            }
            TensorEntry t = f.find(torchName)
                    .orElseThrow(() -> new SpikebitException(
                            file + ": missing tensor \"" + torchName + "\" (spikebit " + e.getKey() + ", shape "
                                    + Arrays.toString(e.getValue().shape()) + ")"));
            if (t.dtype() != DType.F32) {
                throw new SpikebitException(file + ": tensor \"" + torchName + "\" is " + t.dtype()
                        + "; spikebit takes " + "float32 tensors exactly (save the state dict after .float())");
            }
            int[] shape = ints(t.shape());
            if (!Arrays.equals(shape, e.getValue().shape())) {
                throw new SpikebitException(file + ": tensor \"" + torchName + "\" has shape " + Arrays.toString(shape)
                        + ", spikebit's " + e.getKey() + " is "
                        + Arrays.toString(e.getValue().shape()));
            }
            state.put(e.getKey(), new Module.StateEntry(t.toFloats(), shape));
            used.add(torchName);
        }
        for (String name : f.names()) {
            if (!used.contains(name)) {
                throw new SpikebitException(file + ": extra tensor \"" + name + "\": layout " + layout.name()
                        + " does not map it (a different architecture, or give a --map)");
            }
        }
        model.loadStateDict(state, file.toString());
        model.eval();
        return model;
    }

    /** Writes the model's tensors under their PyTorch names, with the layout's counters and constants. */
    public static void write(Path file, SpikingClassifier model, StateDictLayout layout) {
        List<TensorEntry> entries = new ArrayList<>();
        for (var e : model.stateDict().entrySet()) {
            String torchName = layout.tensors().get(e.getKey());
            if (torchName == null) {
                throw new SpikebitException("layout " + layout.name() + " gives no PyTorch name for spikebit tensor \""
                        + e.getKey() + "\"");
            }
            entries.add(TensorEntry.ofFloats(
                    torchName, longs(e.getValue().shape()), e.getValue().data()));
        }
        for (String counter : layout.counters()) {
            entries.add(TensorEntry.ofLongs(counter, new long[0], new long[] {0}));
        }
        ModelSpec spec = model.spec();
        layout.constants()
                .forEach((name, constant) -> entries.add(
                        switch (constant) {
                            case TAU -> TensorEntry.ofFloats(name, new long[0], new float[] {spec.tau()});
                            case VTH -> TensorEntry.ofFloats(name, new long[0], new float[] {spec.vth()});
                            case ONE -> TensorEntry.ofFloats(name, new long[0], new float[] {1f});
                            case RESET_TO_ZERO -> TensorEntry.ofLongs(name, new long[0], new long[] {1});
                        }));
        TensorFiles.write(file, entries, Map.of("format", "pt"));
    }

    private static ModelSpec withConstants(Path file, SafeTensorsFile f, StateDictLayout layout, ModelSpec base) {
        float tau = Float.NaN;
        float vth = Float.NaN;
        for (var c : layout.constants().entrySet()) {
            String name = c.getKey();
            TensorEntry t = f.find(name)
                    .orElseThrow(() -> new SpikebitException(
                            file + ": missing tensor \"" + name + "\" (a neuron " + "setting the layout expects)"));
            float value = uniform(file, t);
            switch (c.getValue()) {
                case TAU -> tau = agree(file, name, "beta (spikebit's tau)", tau, value);
                case VTH -> vth = agree(file, name, "threshold", vth, value);
                case ONE -> {
                    if (value != 1f) {
                        throw new SpikebitException(file + ": tensor \"" + name + "\" is " + value + ": spikebit's "
                                + "spikes have height 1");
                    }
                }
                case RESET_TO_ZERO -> {
                    if (value != 1f) {
                        throw new SpikebitException(file + ": tensor \"" + name + "\" is " + (int) value + " ("
                                + (value == 0f ? "reset by subtraction" : "no reset") + "); spikebit's neurons reset "
                                + "to zero (snnTorch reset_mechanism=\"zero\")");
                    }
                }
            }
        }
        if (Float.isNaN(tau) && Float.isNaN(vth)) {
            return base;
        }
        return new ModelSpec(
                base.model(),
                base.timeSteps(),
                base.inChannels(),
                base.inSize(),
                base.numClasses(),
                base.spikes(),
                base.weights(),
                base.binaryEdges(),
                base.surrogate(),
                Float.isNaN(tau) ? base.tau() : tau,
                Float.isNaN(vth) ? base.vth() : vth,
                base.detachReset());
    }

    private static float agree(Path file, String name, String what, float so, float value) {
        if (!Float.isNaN(so) && so != value) {
            throw new SpikebitException(file + ": tensor \"" + name + "\" sets " + what + " to " + value + ", another "
                    + "neuron to " + so + "; a zoo model has one neuron for all layers");
        }
        return value;
    }

    private static float uniform(Path file, TensorEntry t) {
        float[] v = switch (t.dtype()) {
            case F32 -> t.toFloats();
            case I64 -> {
                long[] l = t.toLongs();
                float[] out = new float[l.length];
                for (int i = 0; i < l.length; i++) {
                    out[i] = l[i];
                }
                yield out;
            }
            default ->
                throw new SpikebitException(
                        file + ": tensor \"" + t.name() + "\" is " + t.dtype() + ", expected F32 or I64");
        };
        if (v.length == 0) {
            throw new SpikebitException(file + ": tensor \"" + t.name() + "\" is empty");
        }
        for (float x : v) {
            if (x != v[0]) {
                throw new SpikebitException(file + ": tensor \"" + t.name() + "\" differs between neurons; spikebit "
                        + "has one value per layer");
            }
        }
        return v[0];
    }

    private static int[] ints(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = Math.toIntExact(shape[i]);
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
