package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.Workspace;
import dev.spikebit.core.kernels.gemm.Gemm;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.profile.OpKind;
import dev.spikebit.core.profile.OpProfiler;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;

/**
 * 2-D convolution (groups = 1) by im2col + GEMM on {@code x [N, C, H, W]}, {@code w [O, C, kh, kw]}.
 *
 * <p>When the input is mostly zeros (spikes), the forward product is event-driven instead ({@link
 * SpikeConv}): it visits only the non-zero inputs, up to a density limit where it stops being faster
 * than im2col + GEMM. The weight gradient has three paths ({@link WeightGradientPath}): the
 * event-driven sum, Winograd (3x3, stride 1, padding 1, enough channels, from a density up) and
 * im2col + GEMM, chosen at the forward pass by the input's density and, for a layer that passes its
 * {@link WeightGradientPath.Memory}, by the path it took last, so that a density hovering at a
 * limit does not flip the path at every step. The choice depends only on the inputs and that
 * memory, so it is the same in every run. When a layer's density first comes near a limit, a
 * background thread gets the path beyond it compiled ({@link WeightGradientWarmUp}).
 *
 * <p>Images are processed in chunks: the patches of a chunk form one wide matrix
 * {@code [C*kh*kw, n*OH*OW]}, so each GEMM is large enough to run near peak, and the column
 * buffer stays a few megabytes, reused from call to call ({@link Workspace}). Backward recomputes the
 * patches instead of keeping them. The input gradient of a 3x3, stride-1, padding-1 convolution
 * with enough channels goes by Winograd's F(2x2, 3x3) ({@link WinogradConv}); of the others, by
 * smaller tiles ({@link #inputGradient}), whose columns are folded into the image while they are
 * still in the cache.
 */
public final class Conv2dOp {
    /** Target size of one chunk's column matrix, in floats (16 MB). */
    private static final int COLUMN_BUDGET = 1 << 22;
    /**
     * Target size of one tile of the input gradient's columns, in floats (256 KB): small enough to
     * stay in a core's L2 cache from the product that writes it to the fold that reads it.
     */
    private static final int INPUT_GRADIENT_TILE = 1 << 16;
    /** Columns per part of the dense weight gradient's sum, at least ({@link #weightProduct}). */
    private static final int WEIGHT_PRODUCT_PART = 1 << 12;
    /** Parts of the dense weight gradient's sum, at most. */
    private static final int WEIGHT_PRODUCT_PARTS = 16;

    private Conv2dOp() {}

    /** {@code bias} may be null. The weight gradient's path goes by the input's density alone. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, stride, padding, null);
    }

    /**
     * {@code bias} may be null; {@code paths} is the layer's memory of the weight gradient's path
     * ({@link WeightGradientPath#choose}), updated when this call records a backward for the
     * weight; null chooses by the input's density alone.
     */
    public static Tensor conv2d(
            Tensor x, Tensor weight, Tensor bias, int stride, int padding, WeightGradientPath.Memory paths) {
        try (var scope = OpProfiler.time(OpKind.CONV)) {
            return forward(x, weight, bias, stride, padding, paths);
        }
    }

    private static Tensor forward(
            Tensor x, Tensor weight, Tensor bias, int stride, int padding, WeightGradientPath.Memory paths) {
        if (x.rank() != 4 || weight.rank() != 4 || weight.dim(1) != x.dim(1)) {
            throw new IllegalArgumentException(
                    "conv2d expects x [N, C, H, W] and w [O, C, kh, kw], got " + x + " and " + weight);
        }
        int batch = x.dim(0);
        int outChannels = weight.dim(0);
        ConvGeometry geo =
                new ConvGeometry(x.dim(1), x.dim(2), x.dim(3), weight.dim(2), weight.dim(3), stride, padding);
        int inSize = geo.channels() * geo.inPixels();
        int outPixels = geo.outPixels();
        int outSize = outChannels * outPixels;
        int patch = geo.patchSize();
        int chunk = chunkSize(batch, patch, outPixels);
        float[] xs = x.data();
        float[] ws = weight.data();
        float[] y = new float[batch * outSize];
        long nonZero = SpikeConv.nonZeros(xs);
        OpProfiler.countInputs(
                "conv " + geo.channels() + "->" + outChannels + " " + geo.kernelH() + "x" + geo.kernelW() + " on "
                        + geo.height() + "x" + geo.width(),
                nonZero,
                xs.length);
        boolean events = nonZero <= SpikeConv.MAX_FORWARD_DENSITY * xs.length && SpikeConv.supports(geo);
        // Chosen here, in the order of the forward passes, only when a backward will need it: so
        // the sequence of paths, and a layer's memory, follow from the training steps alone.
        WeightGradientPath path = null;
        if (weight.requiresGrad() && NoGrad.isRecording()) {
            path = paths != null
                    ? paths.choose(geo, outChannels, nonZero, xs.length)
                    : WeightGradientPath.choose(geo, outChannels, nonZero, xs.length, null);
            WeightGradientWarmUp.start(geo, outChannels, path, nonZero, xs.length);
        }
        if (events) {
            try (var scope = OpProfiler.time(OpKind.EVENT_CONV)) {
                float[] packed = Workspace.get(
                        Workspace.Slot.PACKED_WEIGHTS, geo.patchSize() * SpikeConv.paddedChannels(outChannels));
                SpikeConv.packWeights(ws, outChannels, geo, packed);
                SpikeConv.forward(geo, xs, batch, packed, outChannels, y);
            }
        } else {
            try (var scope = OpProfiler.time(OpKind.CONV_TILES)) {
                denseForward(geo, xs, batch, ws, outChannels, y);
            }
        }
        if (bias != null) {
            float[] b = bias.data();
            Parallel.range(outChannels, 1, (from, to) -> {
                for (int i = 0; i < batch; i++) {
                    for (int o = from; o < to; o++) {
                        int off = i * outSize + o * outPixels;
                        for (int p = 0; p < outPixels; p++) {
                            y[off + p] += b[o];
                        }
                    }
                }
            });
        }
        int[] outShape = {batch, outChannels, geo.outHeight(), geo.outWidth()};
        WeightGradientPath gradientPath = path;
        return Tensor.result(y, outShape, g -> backward(g, x, weight, bias, geo, chunk, gradientPath), x, weight, bias);
    }

    /**
     * im2col + GEMM, a tile of images at a time, as {@link #inputGradient}: each pool thread unfolds
     * a tile of images into its own columns (small enough to stay in its L2 cache) and multiplies
     * them image by image straight into the output, whose layout {@code [O, outPixels]} per image
     * is the product's: no product matrix of the whole chunk, no reordering copy.
     */
    private static void denseForward(ConvGeometry geo, float[] xs, int batch, float[] ws, int outChannels, float[] y) {
        int inSize = geo.channels() * geo.inPixels();
        int outPixels = geo.outPixels();
        int outSize = outChannels * outPixels;
        int patch = geo.patchSize();
        int tile = tileImages(batch, patch, outPixels);
        int tiles = (batch + tile - 1) / tile;
        Gemm gemm = Gemms.get();
        SelfScheduledLoop.forEach(tiles, t -> {
            float[] columns = Workspace.get(Workspace.Slot.COLUMNS, patch * tile * outPixels);
            int first = t * tile;
            int n = Math.min(tile, batch - first);
            int ld = n * outPixels;
            for (int j = 0; j < n; j++) {
                Im2col.unfold(geo, xs, (first + j) * inSize, columns, j * outPixels, ld);
            }
            for (int j = 0; j < n; j++) {
                // y [O, outPixels] of image first + j = W [O, patch] * its columns [patch, outPixels]
                gemm.sgemm(
                        false,
                        false,
                        outChannels,
                        outPixels,
                        patch,
                        1f,
                        ws,
                        0,
                        patch,
                        columns,
                        j * outPixels,
                        ld,
                        0f,
                        y,
                        (first + j) * outSize,
                        outPixels);
            }
        });
    }

    /** {@code path}: how the weight gradient goes (null when the weight needs none). */
    private static void backward(
            float[] g, Tensor x, Tensor weight, Tensor bias, ConvGeometry geo, int chunk, WeightGradientPath path) {
        int batch = x.dim(0);
        int outChannels = weight.dim(0);
        int outPixels = geo.outPixels();
        int outSize = outChannels * outPixels;
        float[] xs = x.data();
        boolean needX = x.requiresGrad();
        boolean needW = weight.requiresGrad();
        float[] gx = needX ? x.grad() : null;
        WeightGradientPath taken = !needW
                ? null
                : path != null
                        ? path
                        : WeightGradientPath.byDensity(geo, outChannels, SpikeConv.nonZeros(xs), xs.length);
        // Both gradients by Winograd: one pass, one channels-last copy of the output gradient.
        boolean both = needX && taken == WeightGradientPath.WINOGRAD && WinogradConv.enabled();
        if (both) {
            try (var scope = OpProfiler.time(OpKind.WINOGRAD_BOTH)) {
                WinogradConv.bothGradients(geo, xs, g, weight.data(), batch, outChannels, gx, weight.grad());
            }
        } else if (taken == WeightGradientPath.GEMM) {
            // Timed inside: its unfolding as im2col, its products as GEMM.
            weightGradient(taken, geo, xs, g, batch, outChannels, chunk, weight.grad());
        } else if (taken != null) {
            try (var scope =
                    OpProfiler.time(taken == WeightGradientPath.EVENTS ? OpKind.EVENT_CONV : OpKind.WINOGRAD_WEIGHTS)) {
                weightGradient(taken, geo, xs, g, batch, outChannels, chunk, weight.grad());
            }
        }
        if (needX && !both && WinogradConv.enabled() && WinogradConv.supports(geo, outChannels)) {
            try (var scope = OpProfiler.time(OpKind.WINOGRAD)) {
                WinogradConv.inputGradient(geo, g, weight.data(), batch, outChannels, gx);
            }
        } else if (needX && !both) {
            try (var scope = OpProfiler.time(OpKind.CONV_TILES)) {
                inputGradient(geo, g, weight.data(), batch, outChannels, gx);
            }
        }
        if (bias != null && bias.requiresGrad()) {
            float[] gb = bias.grad();
            // Output channels split over the pool; each channel's sum in image order, as one thread would.
            Parallel.range(outChannels, 1, (from, to) -> {
                for (int o = from; o < to; o++) {
                    for (int i = 0; i < batch; i++) {
                        int off = i * outSize + o * outPixels;
                        float s = 0;
                        for (int p = 0; p < outPixels; p++) {
                            s += g[off + p];
                        }
                        gb[o] += s;
                    }
                }
            });
        }
    }

    /**
     * {@code gw += } the weight gradient of {@code geo} from its input {@code xs [batch, C, H, W]} and
     * output gradient {@code g [batch, O, outH, outW]}, by {@code path}; GEMM goes {@code chunk}
     * images at a time. Its scratch arrays are the calling thread's ({@link Workspace}) and its
     * loops run on the pool unless called inside {@link Parallel#serially}.
     */
    static void weightGradient(
            WeightGradientPath path,
            ConvGeometry geo,
            float[] xs,
            float[] g,
            int batch,
            int outChannels,
            int chunk,
            float[] gw) {
        switch (path) {
            case WINOGRAD -> WinogradConv.weightGradient(geo, xs, g, batch, outChannels, gw);
            case EVENTS -> {
                int oPad = SpikeConv.paddedChannels(outChannels);
                if (geo.stride() == 1) {
                    var layout = BorderedGradient.of(geo, outChannels, oPad);
                    SpikeConv.weightGradient(geo, xs, g, batch, layout, gw);
                } else {
                    float[] gT = Workspace.get(Workspace.Slot.GRADIENT_TRANSPOSED, batch * geo.outPixels() * oPad);
                    SpikeConv.transposeGradient(g, batch, outChannels, geo.outPixels(), gT);
                    SpikeConv.weightGradient(geo, xs, batch, gT, outChannels, gw);
                }
            }
            case GEMM -> denseWeightGradient(geo, xs, g, batch, outChannels, chunk, gw);
        }
    }

    /** The weight gradient by im2col + GEMM, {@code chunk} images at a time. */
    private static void denseWeightGradient(
            ConvGeometry geo, float[] xs, float[] g, int batch, int outChannels, int chunk, float[] gw) {
        int inSize = geo.channels() * geo.inPixels();
        int outPixels = geo.outPixels();
        int outSize = outChannels * outPixels;
        int patch = geo.patchSize();
        Gemm gemm = Gemms.get();
        float[] col = Workspace.get(Workspace.Slot.COLUMNS, patch * chunk * outPixels);
        float[] gOut = Workspace.get(Workspace.Slot.PRODUCT, outChannels * chunk * outPixels);
        for (int first = 0; first < batch; first += chunk) {
            int n = Math.min(chunk, batch - first);
            int ld = n * outPixels;
            int base = first;
            Parallel.range(outChannels, 1, (from, to) -> {
                for (int o = from; o < to; o++) {
                    for (int j = 0; j < n; j++) {
                        System.arraycopy(
                                g, (base + j) * outSize + o * outPixels, gOut, o * ld + j * outPixels, outPixels);
                    }
                }
            });
            unfold(geo, xs, base, n, inSize, col, outPixels, ld);
            try (var scope = OpProfiler.time(OpKind.GEMM_CONV)) {
                weightProduct(gemm, outChannels, patch, ld, gOut, col, gw);
            }
        }
    }

    /**
     * {@code gx += fold(W^T * dY)}, a tile of images at a time: each tile's columns {@code [patch,
     * n * outPixels]} are small enough to stay in the core's L2 cache between the product that
     * writes them and the fold that reads them, instead of a column matrix of the whole chunk going
     * to memory and back. The tiles are split over the pool, each thread with its own columns, and
     * every image belongs to one tile: one writer per element of {@code gx}. A tile of one image
     * reads its output gradient {@code [O, outPixels]} in place; a tile of several copies theirs
     * side by side first. The tiles depend only on the shape, so the sums do not depend on the
     * thread count; threads claim them one at a time, so a thread the system pauses does not hold
     * up the rest.
     */
    static void inputGradient(ConvGeometry geo, float[] g, float[] w, int batch, int outChannels, float[] gx) {
        int inSize = geo.channels() * geo.inPixels();
        int outPixels = geo.outPixels();
        int outSize = outChannels * outPixels;
        int patch = geo.patchSize();
        int tile = tileImages(batch, patch, outPixels);
        int tiles = (batch + tile - 1) / tile;
        Gemm gemm = Gemms.get();
        SelfScheduledLoop.forEach(tiles, t -> {
            float[] columns = Workspace.get(Workspace.Slot.COLUMNS, patch * tile * outPixels);
            float[] gOut = tile > 1 ? Workspace.get(Workspace.Slot.PRODUCT, outChannels * tile * outPixels) : null;
            int first = t * tile;
            int n = Math.min(tile, batch - first);
            int ld = n * outPixels;
            float[] b = g;
            int bOffset = first * outSize;
            int ldb = outPixels;
            if (n > 1) {
                for (int o = 0; o < outChannels; o++) {
                    for (int j = 0; j < n; j++) {
                        System.arraycopy(
                                g, (first + j) * outSize + o * outPixels, gOut, o * ld + j * outPixels, outPixels);
                    }
                }
                b = gOut;
                bOffset = 0;
                ldb = ld;
            }
            // columns [patch, ld] = W^T [patch, O] * dY [O, ld]
            gemm.sgemm(true, false, patch, ld, outChannels, 1f, w, 0, patch, b, bOffset, ldb, 0f, columns, 0, ld);
            for (int j = 0; j < n; j++) {
                Im2col.fold(geo, columns, j * outPixels, ld, gx, (first + j) * inSize);
            }
        });
    }

    /**
     * {@code gw [O, patch] += gOut [O, ld] * col^T [ld, patch]}, the sum over {@code ld} in parts
     * fixed by the shape (at least {@link #WEIGHT_PRODUCT_PART} columns each, at most {@link
     * #WEIGHT_PRODUCT_PARTS}): each part's product by whichever pool thread claims it, the parts
     * added in part order. This product is skinny (few output channels and patch rows, tens of
     * thousands of columns for a stem on 28x28 images), and as one GEMM it ran on one thread.
     * With one part it is that one GEMM, straight into {@code gw}.
     */
    static void weightProduct(Gemm gemm, int outChannels, int patch, int ld, float[] gOut, float[] col, float[] gw) {
        int parts = Math.max(1, Math.min(WEIGHT_PRODUCT_PARTS, ld / WEIGHT_PRODUCT_PART));
        if (parts == 1) {
            gemm.sgemm(false, true, outChannels, patch, ld, 1f, gOut, 0, ld, col, 0, ld, 1f, gw, 0, patch);
            return;
        }
        int partLength = (ld + parts - 1) / parts;
        int count = (ld + partLength - 1) / partLength;
        int size = outChannels * patch;
        float[] sums = new float[count * size];
        SelfScheduledLoop.forEach(count, part -> {
            int k0 = part * partLength;
            int k = Math.min(ld, k0 + partLength) - k0;
            gemm.sgemm(false, true, outChannels, patch, k, 1f, gOut, k0, ld, col, k0, ld, 0f, sums, part * size, patch);
        });
        Parallel.range(size, 1024, (from, to) -> {
            for (int i = from; i < to; i++) {
                float s = 0;
                for (int part = 0; part < count; part++) {
                    s += sums[part * size + i];
                }
                gw[i] += s;
            }
        });
    }

    /**
     * Images per tile of the input gradient: as many as keep the tile's columns within {@link
     * #INPUT_GRADIENT_TILE}, at least one.
     */
    static int tileImages(int batch, int patch, int outPixels) {
        long perImage = (long) patch * outPixels;
        return (int) Math.max(1, Math.min(batch, INPUT_GRADIENT_TILE / Math.max(1, perImage)));
    }

    /** The patches of images {@code base .. base + n - 1} into the columns of {@code col}. */
    private static void unfold(
            ConvGeometry geo, float[] xs, int base, int n, int inSize, float[] col, int outPixels, int ld) {
        try (var scope = OpProfiler.time(OpKind.IM2COL)) {
            Parallel.range(n, 1, (from, to) -> {
                for (int j = from; j < to; j++) {
                    Im2col.unfold(geo, xs, (base + j) * inSize, col, j * outPixels, ld);
                }
            });
        }
    }

    private static int chunkSize(int batch, int patch, int outPixels) {
        long perImage = (long) patch * outPixels;
        return (int) Math.max(1, Math.min(batch, COLUMN_BUDGET / Math.max(1, perImage)));
    }
}
