package dev.spikebit.core.nn;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A layer or a network: it maps a tensor to a tensor and owns named parameters, buffers and child
 * modules. Names compose with dots, so a model's state is a flat map like PyTorch's state dict.
 *
 * <p>Multi-step tensors {@code [T, B, ...]} pass through stateless layers as one batch of
 * {@code T*B} (see {@link MultiStep}); neurons loop over T.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, ParamRole> roles = new LinkedHashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor x);

    // ------------------------------------------------------------ registration

    protected final Tensor registerParameter(String name, Tensor value, ParamRole role) {
        value.requiresGrad(true);
        parameters.put(name, value);
        roles.put(name, role);
        return value;
    }

    protected final float[] registerBuffer(String name, float[] data, int... shape) {
        buffers.put(name, new Buffer(name, data, shape));
        return data;
    }

    protected final <M extends Module> M registerModule(String name, M child) {
        children.put(name, child);
        return child;
    }

    // ------------------------------------------------------------ traversal

    /** All parameters of this module and its descendants, with dotted names, in definition order. */
    public final List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, List<Parameter> out) {
        parameters.forEach((name, value) -> out.add(new Parameter(prefix + name, value, roles.get(name))));
        children.forEach((name, child) -> child.collectParameters(prefix + name + ".", out));
    }

    /** All buffers with dotted names. */
    public final List<Buffer> buffers() {
        List<Buffer> out = new ArrayList<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, List<Buffer> out) {
        buffers.forEach((name, b) -> out.add(new Buffer(prefix + name, b.data(), b.shape())));
        children.forEach((name, child) -> child.collectBuffers(prefix + name + ".", out));
    }

    /** Direct children, in order. */
    public final Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Visits this module and every descendant, parents first. */
    public final void visit(Consumer<Module> visitor) {
        visitor.accept(this);
        children.values().forEach(c -> c.visit(visitor));
    }

    public final int parameterCount() {
        int n = 0;
        for (Parameter p : parameters()) {
            n += p.size();
        }
        return n;
    }

    // ------------------------------------------------------------ modes

    public final void train(boolean on) {
        visit(m -> {
            m.training = on;
            m.modeSet(on);
        });
    }

    /**
     * Called on each module by {@link #train} after it sets the mode; here it does nothing. A
     * layer that keeps state across steps for speed alone (not part of the model) resets it here.
     */
    protected void modeSet(boolean training) {}

    public final void eval() {
        train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.value().zeroGrad();
        }
    }

    // ------------------------------------------------------------ state

    /** Parameters and buffers by dotted name: what a checkpoint stores. */
    public final Map<String, StateEntry> stateDict() {
        Map<String, StateEntry> state = new LinkedHashMap<>();
        for (Parameter p : parameters()) {
            state.put(p.name(), new StateEntry(p.data(), p.value().shape()));
        }
        for (Buffer b : buffers()) {
            state.put(b.name(), new StateEntry(b.data(), b.shape()));
        }
        return state;
    }

    /**
     * Copies values into this module's parameters and buffers. Every entry of the module must be
     * present with the same shape; extra entries are an error too, so a checkpoint of another
     * architecture is never half-loaded.
     */
    public final void loadStateDict(Map<String, StateEntry> state, String source) {
        Map<String, StateEntry> mine = stateDict();
        for (var e : mine.entrySet()) {
            StateEntry given = state.get(e.getKey());
            if (given == null) {
                throw new SpikebitException(source + ": missing tensor \"" + e.getKey() + "\" (shape "
                        + Arrays.toString(e.getValue().shape()) + ")");
            }
            if (!Arrays.equals(given.shape(), e.getValue().shape())) {
                throw new SpikebitException(source + ": tensor \"" + e.getKey() + "\" has shape "
                        + Arrays.toString(given.shape()) + ", the model expects "
                        + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String name : state.keySet()) {
            if (!mine.containsKey(name)) {
                throw new SpikebitException(
                        source + ": unexpected tensor \"" + name + "\": the model has no such parameter");
            }
        }
        for (var e : mine.entrySet()) {
            float[] src = state.get(e.getKey()).data();
            System.arraycopy(src, 0, e.getValue().data(), 0, src.length);
        }
    }

    /** A named flat tensor of a state dict. */
    public record StateEntry(float[] data, int[] shape) {}

    /** One line describing this layer for model summaries; containers return their class name. */
    public String describe() {
        return getClass().getSimpleName();
    }
}
