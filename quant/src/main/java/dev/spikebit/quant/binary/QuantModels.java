package dev.spikebit.quant.binary;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.BoundedLayers;
import dev.spikebit.core.models.LayerFactory;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.quant.subbit.SubBitLayerFactory;

/**
 * Builds zoo models with the weights their spec asks for: the entry point for the command line,
 * which knows model specs but not layer factories.
 */
public final class QuantModels {
    private QuantModels() {}

    /**
     * The layer factory for {@code spec.weights()}: {@code fp} full precision, {@code binary}
     * trained amplitude, {@code binary-fixed-alpha} fixed amplitude (docs/methods.md 2), {@code sub-bit}
     * codebook-indexed 3x3 kernels (docs/methods.md 3, {@link SubBitLayerFactory}).
     */
    public static LayerFactory layerFactory(ModelSpec spec) {
        return switch (spec.weights()) {
            case FP -> LayerFactory.FULL_PRECISION;
            case BINARY -> new BinaryLayerFactory(Amplitude.TRAINED, spec.binaryEdges());
            case BINARY_FIXED_ALPHA -> new BinaryLayerFactory(Amplitude.FIXED, spec.binaryEdges());
            case SUB_BIT -> SubBitLayerFactory.of(spec);
        };
    }

    /** Builds the spec's model; the same spec and seed give the same weights. */
    public static SpikingClassifier build(ModelSpec spec, long seed) {
        return ModelZoo.build(spec, layerFactory(spec), seed);
    }

    /**
     * Builds {@code spec}'s model to receive {@code sizedBy}'s tensors: a spec that implies far
     * more weights than the checkpoint stores is refused before anything is allocated.
     */
    public static SpikingClassifier build(ModelSpec spec, long seed, Checkpoint sizedBy) {
        LayerFactory bounded = new BoundedLayers(
                layerFactory(spec), sizedBy.weightBudget(), sizedBy.source().toString());
        return ModelZoo.build(spec, bounded, seed);
    }

    /**
     * The model a checkpoint describes, with any weights, its parameters and buffers restored,
     * in evaluation mode.
     *
     * @throws SpikebitException naming the checkpoint if its tensors do not fit the model
     */
    public static SpikingClassifier fromCheckpoint(Checkpoint checkpoint) {
        SpikingClassifier model = build(checkpoint.spec(), 0, checkpoint);
        checkpoint.restoreModel(model);
        model.eval();
        return model;
    }
}
