package dev.spikebit.core.optim;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. Weight decay is applied per parameter group: by default
 * to weights only ({@link dev.spikebit.core.nn.ParamRole#decays()}), never to batch-norm
 * parameters, biases or amplitudes (docs/methods.md 5).
 *
 * <p>The state an optimizer keeps (momentum, moments, step count) is exposed by name so that a
 * checkpoint can save it and {@code --resume} continue exactly.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    protected final float weightDecay;
    protected float lr;
    protected long steps;

    protected Optimizer(List<Parameter> params, float lr, float weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    /** One update from the accumulated gradients; parameters without a gradient are left alone. */
    public final void step() {
        try (var scope = OpProfiler.time(OpKind.OPTIMIZER)) {
            updateAll();
        }
    }

    private void updateAll() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            if (!p.value().hasGrad()) {
                continue;
            }
            float decay = p.role().decays() ? weightDecay : 0f;
            update(i, p.data(), p.grad(), decay);
        }
    }

    /** Updates parameter {@code index} in place. */
    protected abstract void update(int index, float[] w, float[] g, float decay);

    public final void zeroGrad() {
        try (var scope = OpProfiler.time(OpKind.OPTIMIZER)) {
            for (Parameter p : params) {
                p.value().zeroGrad();
            }
        }
    }

    public final void setLr(float lr) {
        this.lr = lr;
    }

    public final float lr() {
        return lr;
    }

    public final long steps() {
        return steps;
    }

    public final List<Parameter> params() {
        return params;
    }

    /** Named per-parameter state arrays, for checkpoints: {@code "<slot>/<parameter name>"}. */
    public final Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String slot : slots()) {
            for (int i = 0; i < params.size(); i++) {
                float[] s = slot(slot, i);
                if (s != null) {
                    out.put(slot + "/" + params.get(i).name(), s);
                }
            }
        }
        out.put("steps", new float[] {Float.intBitsToFloat((int) steps), Float.intBitsToFloat((int) (steps >>> 32))});
        return out;
    }

    /** Restores what {@link #state()} returned; names must match. */
    public final void loadState(Map<String, float[]> state, String source) {
        float[] s = state.get("steps");
        if (s == null || s.length != 2) {
            throw new SpikebitException(source + ": optimizer state has no step count");
        }
        long savedSteps = (Float.floatToRawIntBits(s[0]) & 0xffffffffL) | ((long) Float.floatToRawIntBits(s[1]) << 32);
        if (savedSteps < 0) {
            throw new SpikebitException(source + ": optimizer step count must be >= 0, got " + savedSteps);
        }
        steps = savedSteps;
        for (String slot : slots()) {
            for (int i = 0; i < params.size(); i++) {
                String key = slot + "/" + params.get(i).name();
                float[] saved = state.get(key);
                if (saved == null) {
                    continue; // never updated before the checkpoint: stays zero
                }
                if (saved.length != params.get(i).size()) {
                    throw new SpikebitException(source + ": optimizer state \"" + key + "\" has " + saved.length
                            + " values, the parameter has " + params.get(i).size());
                }
                System.arraycopy(saved, 0, slotForWrite(slot, i), 0, saved.length);
            }
        }
    }

    /** Names of the per-parameter state arrays this optimizer keeps. */
    protected abstract List<String> slots();

    /** The state array of a slot for parameter i, or null when not allocated yet. */
    protected abstract float[] slot(String name, int index);

    /** The state array of a slot for parameter i, allocated if needed. */
    protected abstract float[] slotForWrite(String name, int index);

    /** Lazily allocated per-parameter arrays. */
    protected final class Slots {
        private final List<float[]> arrays = new ArrayList<>();

        public Slots() {
            for (int i = 0; i < params.size(); i++) {
                arrays.add(null);
            }
        }

        public float[] get(int i) {
            return arrays.get(i);
        }

        public float[] getOrCreate(int i) {
            float[] a = arrays.get(i);
            if (a == null) {
                a = new float[params.get(i).size()];
                arrays.set(i, a);
            }
            return a;
        }
    }
}
