package dev.spikebit.core.nn;

import dev.spikebit.core.ops.Pooling;
import dev.spikebit.core.tensor.Tensor;

/**
 * Average pooling with a square window; {@link #global()} averages each whole feature map to one
 * value (output {@code [N, C, 1, 1]}). Single- or multi-step input.
 */
public final class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;

    public AvgPool2d(int kernel) {
        this(kernel, kernel);
    }

    public AvgPool2d(int kernel, int stride) {
        this.kernel = kernel;
        this.stride = stride;
    }

    /** Global average pooling: the window is the whole map, whatever its size. */
    public static AvgPool2d global() {
        return new AvgPool2d(0, 0);
    }

    public boolean isGlobal() {
        return kernel == 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        return MultiStep.apply(x, 4, in -> {
            if (isGlobal()) {
                if (in.dim(2) != in.dim(3)) {
                    throw new IllegalArgumentException("global average pooling needs square maps, got " + in);
                }
                return Pooling.avgPool2d(in, in.dim(2), in.dim(2));
            }
            return Pooling.avgPool2d(in, kernel, stride);
        });
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    @Override
    public String describe() {
        return isGlobal()
                ? "AvgPool2d(global)"
                : "AvgPool2d(" + kernel + (stride != kernel ? ", s" + stride : "") + ")";
    }
}
