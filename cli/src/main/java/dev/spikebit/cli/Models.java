package dev.spikebit.cli;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.quant.binary.QuantModels;

/** Builds a model from its spec with the layer factory its weight type needs (fp, binary, binary-fixed-alpha). */
final class Models {
    private Models() {}

    static SpikingClassifier build(ModelSpec spec, long seed) {
        return QuantModels.build(spec, seed);
    }
}
