package dev.spikebit.runtime.kernels;

import jdk.incubator.vector.FloatVector;

/** Lane reductions in a fixed order. */
final class Lanes {
    private Lanes() {}

    /**
     * The sum of {@code v}'s lanes, first lane to last. Not {@code reduceLanes(ADD)}: the Vector API
     * leaves the order of a floating-point reduction to the implementation, and the interpreted and
     * the JIT-compiled forms add in different orders, so the same input could give logits that
     * differ in the last bit depending on when the JIT compiled the kernel.
     */
    static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float s = lanes[0];
        for (int i = 1; i < lanes.length; i++) {
            s += lanes[i];
        }
        return s;
    }
}
