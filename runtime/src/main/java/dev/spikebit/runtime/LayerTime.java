package dev.spikebit.runtime;

/**
 * Where one image's inference spends its time, per layer ({@link Model#profile}): the thread's wall
 * time inside the layer, all T steps, averaged over the images of the run. The layers before the
 * repeat node run once per image, the others T times; counting the input and listing its non-zero
 * values belong to the layer that reads them.
 *
 * @param name           the node's name
 * @param kind           the node's kind
 * @param microsPerImage microseconds per image, all steps
 */
public record LayerTime(String name, String kind, double microsPerImage) {}
