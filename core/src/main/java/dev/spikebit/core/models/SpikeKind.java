package dev.spikebit.core.models;

import dev.spikebit.core.Named;
import dev.spikebit.core.neuron.kernel.OutputMode;

/** What a model's spiking neurons emit (docs/methods.md 1), by the names options and files use. */
public enum SpikeKind implements Named {
    /** Spikes in {0, 1}: the vanilla SNN. */
    BINARY("binary", OutputMode.BINARY),
    /** ReverB's real-valued spikes {@code H * S}. */
    REAL("real", OutputMode.REAL);

    private final String id;
    private final OutputMode output;

    SpikeKind(String id, OutputMode output) {
        this.id = id;
        this.output = output;
    }

    @Override
    public String id() {
        return id;
    }

    /** The id, so messages and logs show the name options and files use. */
    @Override
    public String toString() {
        return id;
    }

    /** The neuron kernels' output mode for these spikes. */
    public OutputMode output() {
        return output;
    }

    /** The kind called {@code id}; an unknown name is refused naming {@code field} and the known ones. */
    public static SpikeKind of(String id, String field) {
        return Named.of(values(), id, field);
    }
}
