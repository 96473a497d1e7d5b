package dev.spikebit.runtime;

import dev.spikebit.runtime.kernels.Buffers;
import dev.spikebit.runtime.kernels.InputCensus;

/**
 * The inputs and position-major sums of one sign convolution at the last steps of the current
 * image, so that a step can start from an earlier step's sums and add only the sums of what
 * changed since (docs/runtime.md, "Events of the change"). A convolution is linear and its
 * weights are the same at every step, so {@code conv(x_t) = conv(x_r) + conv(x_t - x_r)}; the
 * difference is zero wherever the input repeated, and the event kernel's work grows with the
 * non-zero values it is given.
 *
 * <p>Why it pays: behind a repeated (direct-encoded) input, a neuron under a constant drive fires
 * the same value at a fixed period, and pooling keeps it. On the ReverB fmnist-cnn's 32 -> 64
 * convolution over Fashion-MNIST test images, 20-34% of the inputs are non-zero at steps 1-3, but
 * only 4-7% differ from the step two back. Two steps back covers the periods 1 and 2; the step is
 * computed from whichever of them (or from nothing) has the fewest non-zero values to add.
 *
 * <p>One instance belongs to one executor and one layer; {@link #reset} at the start of each image.
 */
final class EarlierSteps {
    /** How many steps back a step may start from. */
    static final int DEPTH = 2;

    private final int inputSize;
    private final int sumsFloats;
    /** Three slots of inputs and sums: this step's and those of the {@link #DEPTH} steps before it. */
    private final float[][] inputs = new float[DEPTH + 1][];

    private final float[][] sums = new float[DEPTH + 1][];
    /** Whether a slot's input and sums belong to a step of the current image that may be started from. */
    private final boolean[] usable = new boolean[DEPTH + 1];
    /**
     * {@code slotBack[k]}: the slot of the step {@code k} back, {@code k = 1 .. DEPTH}; the slots
     * are not in a fixed order, because a step that starts from the oldest one takes that slot over
     * ({@link #startFromEarlier}).
     */
    private final int[] slotBack = new int[DEPTH + 1];
    /** The slot of this step. */
    private int current;
    /** Whether {@link #startFromEarlier} already wrote this step's input to its slot. */
    private boolean inputKept;

    private final float[] change;

    /**
     * @param inputSize  floats of the layer's input per step
     * @param sumsFloats floats of its position-major sums, {@link Buffers#SLACK} included
     */
    EarlierSteps(int inputSize, int sumsFloats) {
        this.inputSize = inputSize;
        this.sumsFloats = sumsFloats;
        for (int i = 0; i <= DEPTH; i++) {
            inputs[i] = new float[inputSize];
            sums[i] = new float[sumsFloats];
        }
        change = new float[inputSize + Buffers.SLACK];
        reset();
    }

    /** Forgets the steps of the previous image. */
    void reset() {
        current = 0;
        for (int k = 1; k <= DEPTH; k++) {
            slotBack[k] = k;
        }
        inputKept = false;
        java.util.Arrays.fill(usable, false);
    }

    /**
     * The buffer this step's position-major sums go to (and stay in, for the next steps); after
     * {@link #startFromEarlier} returned true, the sums of the step it starts from.
     */
    float[] sums() {
        return sums[current];
    }

    /**
     * Starts this step on input {@code x} with {@code nonZeros} non-zero values: if an earlier step's
     * input differs from {@code x} in fewer places, puts that step's sums in {@link #sums()}, writes
     * {@code x} minus its input to {@link #change()} and returns true; otherwise returns false and
     * the step is computed from {@code x} alone.
     *
     * <p>A step started from the oldest step ({@link #DEPTH} back) takes that step's slot over and
     * adds to its sums in place: no later step can start from it (it would be more than {@code
     * DEPTH} back), so nothing is copied. A step started from a nearer one copies its sums, which
     * the next steps may still start from.
     */
    boolean startFromEarlier(float[] x, int nonZeros) {
        int best = -1;
        int fewest = nonZeros;
        for (int back = 1; back <= DEPTH; back++) {
            int slot = slotBack[back];
            if (usable[slot]) {
                int differ = InputCensus.differences(x, inputs[slot], inputSize);
                if (differ < fewest) {
                    fewest = differ;
                    best = back;
                }
            }
        }
        if (best < 0) {
            return false;
        }
        int from = slotBack[best];
        if (best == DEPTH) {
            slotBack[DEPTH] = current;
            current = from;
            // The oldest step's input is this step's from here on.
            InputCensus.subtractAndKeep(x, inputs[from], inputSize, change);
        } else {
            InputCensus.subtract(x, inputs[from], inputSize, change);
            System.arraycopy(sums[from], 0, sums[current], 0, sumsFloats);
            System.arraycopy(x, 0, inputs[current], 0, inputSize);
        }
        inputKept = true;
        return true;
    }

    /** {@code x} minus the earlier step's input, after {@link #startFromEarlier} returned true. */
    float[] change() {
        return change;
    }

    /**
     * Ends this step: with {@code usable}, its input {@code x} and the sums now in {@link #sums()}
     * may be started from by the next steps; without, they may not (the sums were not kept).
     */
    void finish(float[] x, boolean usable) {
        if (usable && !inputKept) {
            System.arraycopy(x, 0, inputs[current], 0, inputSize);
        }
        this.usable[current] = usable;
        inputKept = false;
        int oldest = slotBack[DEPTH];
        for (int k = DEPTH; k > 1; k--) {
            slotBack[k] = slotBack[k - 1];
        }
        slotBack[1] = current;
        current = oldest;
    }
}
