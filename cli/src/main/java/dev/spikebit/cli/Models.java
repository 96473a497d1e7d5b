package dev.spikebit.cli;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;

/** Builds a model from its spec with the layer factory its weight type needs. */
final class Models {
    private Models() {
    }

    static SpikingClassifier build(ModelSpec spec, long seed) {
        return ModelZoo.build(spec, seed);
    }
}
