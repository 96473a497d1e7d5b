package dev.spikebit.core.kernels;

/**
 * Per-thread scratch arrays that kernels reuse from call to call instead of allocating (and
 * zeroing) tens of megabytes per convolution. A slot grows to the largest size asked of it and
 * is never shrunk. Contents are undefined on entry: callers overwrite what they read.
 */
public final class Workspace {
    /** The scratch arrays a kernel may hold at the same time. */
    public enum Slot {
        COLUMNS,
        PRODUCT,
        /** Event-driven convolution: a layer's weights with the output channels last. */
        PACKED_WEIGHTS,
        /** Event-driven convolution: the output gradient with the output channels last. */
        GRADIENT_TRANSPOSED,
        /** Event-driven convolution: one image's output gradient with the output channels last, no border. */
        GRADIENT_IMAGE,
        /** Event-driven convolution: the sums of one image or of a range of input channels. */
        EVENT_SUMS,
        /** Event-driven convolution: the non-zero inputs of one image, by pixel (values; ints: channels). */
        EVENTS,
        /** Event-driven convolution: where each pixel's events start (ints). */
        EVENT_STARTS,
        /** Event-driven convolution: one image's non-zero inputs as bits, 32 channels to an int per pixel. */
        EVENT_BITS,
        /** A pooled neuron layer: a block of planes' input over all steps (backward: its input gradient). */
        PLANE_INPUT,
        /** A pooled neuron layer: a block of planes' output over all steps (backward: its output gradient). */
        PLANE_OUTPUT,
        /** A pooled neuron layer: a block of planes' potentials over all steps. */
        PLANE_POTENTIALS,
        /** Winograd convolution: the transformed weights, {@code [16][O][C]}. */
        WINOGRAD_WEIGHTS,
        /** Winograd convolution: one image channels-last (the output gradient bordered, or the result). */
        WINOGRAD_PLANE,
        /** Winograd weight gradient: each group of images' transformed sums, {@code [groups][16][O][C]}. */
        WINOGRAD_SUMS,
        /** Winograd, both gradients at once: a block's transformed output gradient for the input gradient. */
        WINOGRAD_TILES
    }

    private static final ThreadLocal<float[][]> ARRAYS =
            ThreadLocal.withInitial(() -> new float[Slot.values().length][]);

    private static final ThreadLocal<int[][]> INTS = ThreadLocal.withInitial(() -> new int[Slot.values().length][]);

    private Workspace() {}

    /** A scratch array of at least {@code size} ints for this thread and slot (apart from the float one). */
    public static int[] ints(Slot slot, int size) {
        int[][] arrays = INTS.get();
        int[] a = arrays[slot.ordinal()];
        if (a == null || a.length < size) {
            a = new int[size];
            arrays[slot.ordinal()] = a;
        }
        return a;
    }

    /** A scratch array of at least {@code size} floats for this thread and slot. */
    public static float[] get(Slot slot, int size) {
        float[][] arrays = ARRAYS.get();
        float[] a = arrays[slot.ordinal()];
        if (a == null || a.length < size) {
            a = new float[size];
            arrays[slot.ordinal()] = a;
        }
        return a;
    }
}
