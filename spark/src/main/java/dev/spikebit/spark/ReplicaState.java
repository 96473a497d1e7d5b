package dev.spikebit.spark;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.nn.Module.StateEntry;
import dev.spikebit.train.Trainer;
import java.io.Serial;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What replicas share at the start of a round and what the driver averages at its end: the model's
 * parameters and buffers (batch-norm running statistics among them) and the optimizer's state
 * arrays (momentum, Adam's moments), by name, plus the optimizer's step count, which every replica
 * advances alike and which is therefore agreed on rather than averaged.
 *
 * @param model     {@code Module.stateDict()} values by name (copies)
 * @param optimizer {@code Optimizer.state()} arrays by name, without the step count (copies)
 * @param steps     the optimizer's step count, in {@code Optimizer.state()}'s encoding
 */
record ReplicaState(Map<String, float[]> model, Map<String, float[]> optimizer, float[] steps) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The key under which {@code Optimizer.state()} keeps the step count. */
    static final String STEPS = "steps";

    /** A copy of {@code trainer}'s model and optimizer state. */
    static ReplicaState of(Trainer trainer) {
        Map<String, float[]> model = new LinkedHashMap<>();
        trainer.model()
                .stateDict()
                .forEach((name, e) -> model.put(name, e.data().clone()));
        Map<String, float[]> optimizer = new LinkedHashMap<>();
        float[] steps = null;
        for (var e : trainer.optimizer().state().entrySet()) {
            if (e.getKey().equals(STEPS)) {
                steps = e.getValue().clone();
            } else {
                optimizer.put(e.getKey(), e.getValue().clone());
            }
        }
        if (steps == null) {
            throw new IllegalStateException("the optimizer state has no step count");
        }
        return new ReplicaState(model, optimizer, steps);
    }

    /**
     * Copies this state into {@code trainer}'s model and optimizer. An optimizer array this state
     * lacks (a slot the shared optimizer had not created yet) is set to zero, so a reused replica
     * keeps nothing of an earlier round.
     */
    void loadInto(Trainer trainer, String source) {
        Map<String, StateEntry> mine = trainer.model().stateDict();
        Map<String, StateEntry> given = new LinkedHashMap<>();
        model.forEach((name, values) -> {
            StateEntry own = mine.get(name);
            if (own == null) {
                throw new SpikebitException(source + ": unexpected tensor \"" + name + "\"");
            }
            given.put(name, new StateEntry(values, own.shape()));
        });
        trainer.model().loadStateDict(given, source);
        Map<String, float[]> state = new LinkedHashMap<>();
        trainer.optimizer().state().forEach((name, values) -> {
            if (!name.equals(STEPS)) {
                state.put(name, optimizer.getOrDefault(name, new float[values.length]));
            }
        });
        optimizer.forEach(state::putIfAbsent);
        state.put(STEPS, steps);
        trainer.optimizer().loadState(state, source);
    }
}
