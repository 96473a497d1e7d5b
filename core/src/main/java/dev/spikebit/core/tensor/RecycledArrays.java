package dev.spikebit.core.tensor;

import dev.spikebit.core.kernels.Parallel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Float arrays that a backward pass no longer needs, lent again to the next step. A training step
 * makes the same arrays every time (the gradients of its intermediate results, a neuron layer's
 * potentials); handing them back as soon as backward has used them means the next step allocates
 * none of them, so the young generation fills several times more slowly and the heap can be a
 * fraction of the size at the same speed.
 *
 * <p>Only code that knows an array is no longer referenced anywhere may {@link #release} it:
 * {@link Tensor#backward()} for intermediate gradients, a layer for a buffer only its own backward
 * read. The pool keeps arrays by exact length, at most {@link #CAPACITY_FLOATS} floats in all (what
 * does not fit is left to the garbage collector). Thread-safe.
 */
public final class RecycledArrays {
    /** At most 128 Mi floats (512 MiB) wait in the pool. */
    static final long CAPACITY_FLOATS = 1L << 27;

    /** Arrays below this length are cheaper to allocate than to look up. */
    private static final int MIN_LENGTH = 4096;

    /** Floats each thread clears at least when an array is cleared in parts. */
    private static final int PARALLEL_FILL = 1 << 20;

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    private static long pooledFloats;

    private RecycledArrays() {}

    /** An array of {@code length} floats with undefined contents (the caller overwrites all of it). */
    public static float[] take(int length) {
        if (length >= MIN_LENGTH) {
            synchronized (FREE) {
                ArrayDeque<float[]> free = FREE.get(length);
                if (free != null && !free.isEmpty()) {
                    pooledFloats -= length;
                    return free.pop();
                }
            }
        }
        return new float[length];
    }

    /**
     * An array of {@code length} zeros. A large reused array is cleared in parts over the worker
     * pool: a step's largest gradients (tens of megabytes) cleared on one thread were a serial
     * section of a few milliseconds each.
     */
    public static float[] takeZeroed(int length) {
        float[] a = take(length);
        Parallel.range(length, PARALLEL_FILL, (from, to) -> Arrays.fill(a, from, to, 0f));
        return a;
    }

    /** Hands {@code array} back; nothing may read or write it afterwards. */
    public static void release(float[] array) {
        if (array == null || array.length < MIN_LENGTH) {
            return;
        }
        synchronized (FREE) {
            if (pooledFloats + array.length > CAPACITY_FLOATS) {
                return;
            }
            FREE.computeIfAbsent(array.length, n -> new ArrayDeque<>()).push(array);
            pooledFloats += array.length;
        }
    }
}
