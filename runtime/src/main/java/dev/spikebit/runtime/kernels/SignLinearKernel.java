package dev.spikebit.runtime.kernels;

import dev.spikebit.runtime.graph.Layer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code b = sign(W) x} for a +-1 fully connected layer on one sample (methods.md 2), additions
 * and subtractions only, with the sign-XOR trick reading the packed bits directly.
 *
 * <ul>
 *   <li>{@link #dense}: per output, eight inputs per packed byte: the byte's eight lane masks
 *       flip the inputs' signs and the vector is added (four accumulators); a scalar tail takes
 *       the inputs after the last whole byte.</li>
 *   <li>{@link #events}: per non-zero input, its value signed by the input's column of bits is
 *       added to all outputs at once.</li>
 * </ul>
 */
public final class SignLinearKernel {
    private SignLinearKernel() {
    }

    /** Floats of scratch {@link #events} needs. */
    public static int eventScratch(Layer.SignLinear l) {
        return SignConvKernel.paddedChannels(l.outFeatures());
    }

    /** Dense path: {@code out[o] = sum_j +-x[j]}. */
    public static void dense(Layer.SignLinear l, float[] x, int xOff, float[] out, int outOff) {
        int in = l.inFeatures();
        byte[] bits = l.signs().rowBits();
        int rowBytes = l.signs().rowBytes();
        int[] table = SignMasks.TABLE;
        int wholeBytes = in >>> 3;
        int unrolled = wholeBytes & ~3;
        for (int o = 0; o < l.outFeatures(); o++) {
            int row = o * rowBytes;
            var a0 = FloatVector.zero(SignMasks.FLOATS);
            var a1 = FloatVector.zero(SignMasks.FLOATS);
            var a2 = FloatVector.zero(SignMasks.FLOATS);
            var a3 = FloatVector.zero(SignMasks.FLOATS);
            int b = 0;
            for (; b < unrolled; b += 4) {
                int at = xOff + b * 8;
                a0 = a0.add(FloatVector.fromArray(SignMasks.FLOATS, x, at).reinterpretAsInts().lanewise(VectorOperators.XOR,
                        IntVector.fromArray(SignMasks.INTS, table, (bits[row + b] & 0xFF) * 8)).reinterpretAsFloats());
                a1 = a1.add(FloatVector.fromArray(SignMasks.FLOATS, x, at + 8).reinterpretAsInts().lanewise(VectorOperators.XOR,
                        IntVector.fromArray(SignMasks.INTS, table, (bits[row + b + 1] & 0xFF) * 8)).reinterpretAsFloats());
                a2 = a2.add(FloatVector.fromArray(SignMasks.FLOATS, x, at + 16).reinterpretAsInts().lanewise(VectorOperators.XOR,
                        IntVector.fromArray(SignMasks.INTS, table, (bits[row + b + 2] & 0xFF) * 8)).reinterpretAsFloats());
                a3 = a3.add(FloatVector.fromArray(SignMasks.FLOATS, x, at + 24).reinterpretAsInts().lanewise(VectorOperators.XOR,
                        IntVector.fromArray(SignMasks.INTS, table, (bits[row + b + 3] & 0xFF) * 8)).reinterpretAsFloats());
            }
            for (; b < wholeBytes; b++) {
                a0 = a0.add(FloatVector.fromArray(SignMasks.FLOATS, x, xOff + b * 8).reinterpretAsInts().lanewise(
                        VectorOperators.XOR, IntVector.fromArray(SignMasks.INTS, table, (bits[row + b] & 0xFF) * 8))
                        .reinterpretAsFloats());
            }
            float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            for (int j = wholeBytes * 8; j < in; j++) {
                sum += SignMasks.apply(bits[row + (j >>> 3)], j & 7, x[xOff + j]);
            }
            out[outOff + o] = sum;
        }
    }

    /**
     * Event-driven path over the {@code count} non-zero inputs listed in {@code events}.
     *
     * @param scratch at least {@link #eventScratch} floats
     */
    public static void events(Layer.SignLinear l, float[] x, int xOff, int[] events, int count, float[] out,
                              int outOff, float[] scratch) {
        int pitch = SignConvKernel.paddedChannels(l.outFeatures());
        int columnBytes = l.signs().columnBytes();
        byte[] columns = l.signs().columnBits();
        int[] table = SignMasks.TABLE;
        java.util.Arrays.fill(scratch, 0, pitch, 0f);
        for (int e = 0; e < count; e++) {
            int j = events[e];
            var value = IntVector.broadcast(SignMasks.INTS, Float.floatToRawIntBits(x[xOff + j]));
            int column = j * columnBytes;
            for (int g = 0; g < columnBytes; g++) {
                var signed = value.lanewise(VectorOperators.XOR,
                        IntVector.fromArray(SignMasks.INTS, table, (columns[column + g] & 0xFF) * 8)).reinterpretAsFloats();
                FloatVector.fromArray(SignMasks.FLOATS, scratch, g * 8).add(signed).intoArray(scratch, g * 8);
            }
        }
        System.arraycopy(scratch, 0, out, outOff, l.outFeatures());
    }
}
