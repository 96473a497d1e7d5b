package dev.spikebit.core.nn;

/**
 * Whether layers that have a fused form run in it ({@link PoolingNeuron}: a neuron layer with the
 * batch norm before and the max pooling after it in one pass). On by default, in training and in
 * evaluation: the fused pass computes the same numbers as the separate layers, with less memory.
 * {@code try (var separate = LayerFusion.off()) { ... }} runs the layers one by one in its scope
 * (on the calling thread), to compare the two forms. Scopes nest.
 */
public final class LayerFusion implements AutoCloseable {
    private static final ThreadLocal<int[]> OFF = ThreadLocal.withInitial(() -> new int[1]);
    private boolean closed;

    private LayerFusion() {
        OFF.get()[0]++;
    }

    /** A scope in which layers run one by one. */
    public static LayerFusion off() {
        return new LayerFusion();
    }

    /** Whether layers run fused on the calling thread. */
    public static boolean isOn() {
        return OFF.get()[0] == 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            OFF.get()[0]--;
        }
    }
}
