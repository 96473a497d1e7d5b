package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;

/** What the kernels ask of the buffers a caller gives them. */
public final class Buffers {
    /**
     * Floats after the end of the data that a kernel may reach with the masked vector access of a
     * row's or a plane's last, partial vector (max pooling, the neurons). A buffer with this much
     * room after its data keeps those accesses on the intrinsic path: a masked access whose full
     * vector would cross the end of the array falls back to a lane-by-lane check in Java, which
     * took a tenth of a fmnist-cnn inference.
     */
    public static final int SLACK = FloatVector.SPECIES_PREFERRED.length();

    private Buffers() {}
}
