package dev.spikebit.train;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.data.DatasetChoice;
import java.util.Arrays;

/**
 * Matches a model description to a dataset: the input channels, image or frame size and number of
 * classes of a {@link ModelSpec} come from the data it trains on.
 */
public final class DatasetFit {
    private DatasetFit() {}

    /**
     * The model spec with this data's input: channels, frame or image size and number of classes;
     * the zoo builder then says whether the architecture can take it. Event data must have been
     * binned into the spec's T frames.
     */
    public static ModelSpec fit(DatasetChoice data, ModelSpec spec) {
        var train = data.train();
        String name = data.name();
        int[] shape = train.sampleShape();
        int[] image = data.isEvents() ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
        if (data.isEvents() && train.timeSteps() != spec.timeSteps()) {
            throw new SpikebitException(name + " is binned into " + train.timeSteps() + " frames, the model "
                    + spec.model() + " runs T = " + spec.timeSteps());
        }
        if (image.length != 3 || image[1] != image[2]) {
            throw new SpikebitException(
                    name + ": the models take square [C, H, W] images, the data has " + Arrays.toString(image));
        }
        return spec.withInput(image[0], image[1], train.numClasses());
    }

    /**
     * Whether a spec (from a checkpoint) takes this data as it is: the same channels, size, classes
     * and, for event data, T.
     */
    public static void requireFits(DatasetChoice data, ModelSpec spec) {
        ModelSpec fitted = fit(data, spec);
        if (fitted.inChannels() != spec.inChannels()
                || fitted.inSize() != spec.inSize()
                || fitted.numClasses() != spec.numClasses()) {
            throw new SpikebitException("model " + spec.model() + " takes " + spec.inChannels() + "x" + spec.inSize()
                    + "x" + spec.inSize() + " input with " + spec.numClasses() + " classes; " + data.name() + " has "
                    + fitted.inChannels() + "x" + fitted.inSize() + "x" + fitted.inSize() + " with "
                    + fitted.numClasses() + " classes");
        }
    }
}
