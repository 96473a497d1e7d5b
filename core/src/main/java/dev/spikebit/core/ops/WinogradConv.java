package dev.spikebit.core.ops;

import dev.spikebit.core.kernels.Workspace;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input gradient, and on denser inputs the weight gradient ({@link #weightGradient}), of a 3x3,
 * stride-1, padding-1 convolution by Winograd's minimal filtering algorithm F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016): 16 multiplications for each 2x2 block of outputs of one channel pair instead of 36.
 *
 * <p>That gradient {@code dX[c] = sum_o dY[o] (*) rot180(W[o, c])} is itself a 3x3, stride-1,
 * padding-1 correlation of the output gradient with the weights flipped and their channels swapped.
 * Cut {@code dX} into 2x2 tiles; tile {@code (ty, tx)} reads the 4x4 patch of the output gradient
 * at rows {@code 2ty-1 .. 2ty+2} and columns {@code 2tx-1 .. 2tx+2} (zeros outside), and
 * <pre>
 *   dX tile = A^T [ sum_o  (G w'[c, o] G^T)  .*  (B^T d[o] B) ] A
 * </pre>
 * with the 4x4 element-wise product summed over the output channels {@code o}. For each of the 16
 * positions {@code xi} of a 4x4 transformed tile that sum is a matrix product: {@code M_xi [tiles x
 * C] = V_xi [tiles x O] * U_xi [O x C]}, by this class's own register-tiled loop ({@link
 * #panelProduct}): on these narrow products (32 columns, depth 64 for fmnist-cnn) OpenBLAS spent most of
 * its time packing, and the loop took two thirds of its time (docs/performance.md). The matrices:
 * <pre>
 *   B^T = | 1  0 -1  0 |     G = | 1    0    0   |     A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |         | 1/2  1/2  1/2 |           | 0  1 -1 -1 |
 *         | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |         | 0    0    1   |
 * </pre>
 * The input and output transforms only add and subtract, so their float error is a few roundings
 * on sums of at most nine terms; the weight transform is done in double precision and rounded once.
 * The error grows with the tile: F(4x4, 3x3) has coefficients up to 8 and fractions such as 1/6
 * (docs/performance.md, "Winograd").
 *
 * <p><b>Work and repeatability.</b> The batch is cut into blocks of images fixed by the shape alone
 * ({@link #imagesPerBlock}); the pool's threads claim blocks one at a time ({@link
 * SelfScheduledLoop}), and each block writes only its own images of {@code dX}, every 2x2 tile once:
 * no fold that adds overlapping columns. Within a block everything runs on the claiming thread in a
 * fixed order, so the result does not depend on the thread count or the schedule. Everything goes
 * a vector of channels at a time ({@link FloatVector#SPECIES_PREFERRED}, any width) and lane by
 * lane: the transforms add and subtract, and each product element is one chain of fused
 * multiply-adds over {@code o} in order, so the bits do not depend on the vector width either.
 *
 * <p>Data layout within a block: the output gradient of one image channels-last with a zero border
 * ({@code [rows + 2][cols + 2][O]}, rows and columns rounded up to even), so that a tile's 16 values
 * of a vector of channels are 16 vector loads; {@code V [16][tiles][O]}, {@code M [16][tiles][C]},
 * and the 2x2 results channels-last before they are added into {@code dX [C][H][W]}.
 */
final class WinogradConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Positions of a transformed 4x4 tile. */
    private static final int POSITIONS = 16;
    /** Columns of a panel of the transformed weights: two vectors, what {@link #panelProduct} keeps per row. */
    static final int PANEL = 2 * LANES;
    /**
     * Tiles per block, at most (one image when it has more): four 14x14 images (49 tiles each) ran
     * faster than one or two, and than eight or sixteen, whose transformed tiles leave the L2 cache.
     */
    static final int BLOCK_TILES = 196;
    /**
     * Fewest input and output channels where Winograd is used. Measured per 256 14x14 images, one
     * thread, CPU time against GEMM + col2im: 16 -> 16 channels 5.4 against 8.5 ms, 8 -> 8 about
     * even (3-4 ms both), 4 -> 32 a loss (6.5 against 4.2): with few channels the transforms and
     * layout copies cost more than the multiplications saved.
     */
    static final int MIN_CHANNELS = 16;

    /**
     * Blocks per group of the weight gradient's sum: each group has its own partial sums (16 O C
     * floats), added in group order at the end; four blocks of four 14x14 images give 16 groups per
     * 256 images, enough to keep two threads even.
     */
    static final int GROUP_BLOCKS = 4;

    /**
     * Fewest non-zero inputs, as a fraction, where the weight gradient goes by this kernel rather
     * than the event-driven sum, whose cost falls with the density while this one's does not.
     * Measured on the 32 -> 64 layer, 256 14x14 images, one thread, CPU time (median of 20, on a
     * loaded machine): this kernel 24-26 ms at any density; the event-driven sum 19 ms at 0.1, 28
     * at 0.2, 25 at 0.3 (even), 27 at 0.35, 28 at 0.4, 31 at 0.5. Above 0.37 the alternative is
     * im2col + GEMM, slower still (docs/performance.md).
     */
    static final double MIN_WEIGHT_GRADIENT_DENSITY = 0.3;

    /**
     * The system property that turns this kernel off ({@code -Dspikebit.winograd=false}), both its
     * uses: the input gradient then goes by GEMM + col2im and the weight gradient by the
     * event-driven sum or im2col + GEMM, as before, to compare or to reproduce the bits of a run
     * made without it. Read at each call (for the weight gradient, at the forward pass).
     */
    static final String PROPERTY = "spikebit.winograd";

    private WinogradConv() {}

    /** False when {@value #PROPERTY} is {@code false}. */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * Whether this kernel computes the input gradient of {@code geo} with {@code outChannels}
     * output channels: 3x3, stride 1, padding 1, and at least {@link #MIN_CHANNELS} channels on
     * either side.
     */
    static boolean supports(ConvGeometry geo, int outChannels) {
        return geo.kernelH() == 3
                && geo.kernelW() == 3
                && geo.stride() == 1
                && geo.padding() == 1
                && geo.channels() >= MIN_CHANNELS
                && outChannels >= MIN_CHANNELS;
    }

    /** Images per block: as many as fit in {@link #BLOCK_TILES} tiles, at least one. */
    static int imagesPerBlock(ConvGeometry geo, int batch) {
        int tiles = tileRows(geo) * tileCols(geo);
        return Math.max(1, Math.min(batch, BLOCK_TILES / tiles));
    }

    private static int tileRows(ConvGeometry geo) {
        return (geo.height() + 1) / 2;
    }

    private static int tileCols(ConvGeometry geo) {
        return (geo.width() + 1) / 2;
    }

    private static int padded(int channels) {
        return (channels + LANES - 1) / LANES * LANES;
    }

    /**
     * {@code gx += } the input gradient of the convolution {@code geo} (which {@link #supports})
     * with weights {@code w [O, C, 3, 3]}, from the output gradient {@code g [batch, O, H, W]}.
     */
    static void inputGradient(ConvGeometry geo, float[] g, float[] w, int batch, int outChannels, float[] gx) {
        int channels = geo.channels();
        float[] u = Workspace.get(Workspace.Slot.WINOGRAD_WEIGHTS, POSITIONS * outChannels * padded(channels));
        transformFlippedWeights(w, outChannels, channels, u);
        int perBlock = imagesPerBlock(geo, batch);
        int blocks = (batch + perBlock - 1) / perBlock;
        SelfScheduledLoop.forEach(blocks, b -> {
            int first = b * perBlock;
            block(geo, g, u, first, Math.min(perBlock, batch - first), outChannels, gx);
        });
    }

    /**
     * {@code u [16][O][C]} (rows padded to a whole number of vectors with zeros): {@code G w' G^T}
     * for every channel pair, {@code w'[c, o]} the kernel {@code w[o, c]} turned by 180 degrees. In
     * double precision, rounded once. Each position's {@code [O][C]} is stored in panels of {@link
     * #PANEL} columns (the last one narrower when {@code C} is), each panel's rows one after the
     * other, so that {@link #panelProduct} steps through a panel by a constant stride.
     */
    static void transformFlippedWeights(float[] w, int outChannels, int channels, float[] u) {
        int cPad = padded(channels);
        Arrays.fill(u, 0, POSITIONS * outChannels * cPad, 0f);
        double[] k = new double[9];
        double[] t = new double[12];
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < channels; c++) {
                int from = (o * channels + c) * 9;
                for (int i = 0; i < 9; i++) {
                    k[i] = w[from + 8 - i]; // rot180: (a, b) <- (2 - a, 2 - b)
                }
                // t [4][3] = G k
                for (int j = 0; j < 3; j++) {
                    double k0 = k[j];
                    double k1 = k[3 + j];
                    double k2 = k[6 + j];
                    t[j] = k0;
                    t[3 + j] = 0.5 * (k0 + k1 + k2);
                    t[6 + j] = 0.5 * (k0 - k1 + k2);
                    t[9 + j] = k2;
                }
                // u [4][4] = t G^T
                int panel = c / PANEL * PANEL;
                int inPanel = panel * outChannels + o * Math.min(PANEL, cPad - panel) + c - panel;
                for (int i = 0; i < 4; i++) {
                    double t0 = t[3 * i];
                    double t1 = t[3 * i + 1];
                    double t2 = t[3 * i + 2];
                    int step = outChannels * cPad;
                    int at = 4 * i * step + inPanel;
                    u[at] = (float) t0;
                    u[at + step] = (float) (0.5 * (t0 + t1 + t2));
                    u[at + 2 * step] = (float) (0.5 * (t0 - t1 + t2));
                    u[at + 3 * step] = (float) t2;
                }
            }
        }
    }

    /** Images {@code first .. first + n - 1}: transform, 16 products, inverse transform, add into {@code gx}. */
    private static void block(ConvGeometry geo, float[] g, float[] u, int first, int n, int outChannels, float[] gx) {
        int channels = geo.channels();
        int h = geo.height();
        int w = geo.width();
        int rows = tileRows(geo);
        int cols = tileCols(geo);
        int tilesPerImage = rows * cols;
        int tiles = n * tilesPerImage;
        int oPad = padded(outChannels);
        int cPad = padded(channels);
        int borderedW = 2 * cols + 2;
        int bordered = (2 * rows + 2) * borderedW;
        float[] plane =
                Workspace.get(Workspace.Slot.WINOGRAD_PLANE, Math.max(bordered * oPad, 4 * tilesPerImage * cPad));
        float[] v = Workspace.get(Workspace.Slot.COLUMNS, POSITIONS * tiles * oPad);
        float[] m = Workspace.get(Workspace.Slot.PRODUCT, POSITIONS * tiles * cPad);
        int[] pixelAt = pixelPlaces(h, w, borderedW, borderedW + 1);
        int[] resultAt = pixelPlaces(h, w, 2 * cols, 0);
        int vStride = tiles * oPad;
        for (int j = 0; j < n; j++) {
            channelsLast(
                    g, (first + j) * outChannels * h * w, outChannels, h, w, borderedW, bordered, oPad, pixelAt, plane);
            transformInput(plane, rows, cols, borderedW, oPad, v, j * tilesPerImage * oPad, vStride);
        }
        int mStride = tiles * cPad;
        int uStride = outChannels * cPad;
        for (int xi = 0; xi < POSITIONS; xi++) {
            // M_xi [tiles x C] = V_xi [tiles x O] * U_xi [O x C]
            panelProduct(v, xi * vStride, oPad, tiles, outChannels, u, xi * uStride, cPad, m, xi * mStride);
        }
        int inSize = channels * h * w;
        for (int j = 0; j < n; j++) {
            transformOutput(m, j * tilesPerImage * cPad, mStride, rows, cols, cPad, plane);
            addChannelsFirst(plane, resultAt, cPad, channels, h, w, gx, (first + j) * inSize);
        }
    }

    /**
     * Whether the weight gradient of {@code geo} goes by this kernel on an input with {@code
     * nonZero} of {@code size} elements not zero: the shapes of {@link #supports}, and at least
     * {@link #MIN_WEIGHT_GRADIENT_DENSITY} non-zero (below, the event-driven sum is cheaper).
     */
    static boolean takesWeightGradient(ConvGeometry geo, int outChannels, long nonZero, long size) {
        return enabled() && supports(geo, outChannels) && nonZero >= MIN_WEIGHT_GRADIENT_DENSITY * size;
    }

    /**
     * {@code gw += } the weight gradient of the convolution {@code geo} (which {@link #supports})
     * from its input {@code x [batch, C, H, W]} and output gradient {@code g [batch, O, H, W]}.
     *
     * <p>It is the transpose of the forward algorithm: a forward tile {@code y = A^T [(G w G^T) .*
     * (B^T d B)] A} is linear in {@code w}, so {@code <dy, y> = <G^T [(A dy A^T) .* (B^T d B)] G,
     * w>} and
     * <pre>
     *   dW[o, c] = G^T [ sum_tiles (A dy_t[o] A^T) .* (B^T d_t[c] B) ] G
     * </pre>
     * For each of the 16 positions the sum over tiles is a product {@code S_xi [O x C] = Z_xi^T
     * [O x tiles] * V_xi [tiles x C]}. The images are cut into groups fixed by the shape ({@link
     * #imagesPerGroup}); one pool thread sums a group's blocks in order into the group's own
     * {@code S}, and the groups' sums are then added in group order and taken back by {@code G^T .
     * G} in double precision: the bits do not depend on the thread count or the vector width.
     */
    static void weightGradient(ConvGeometry geo, float[] x, float[] g, int batch, int outChannels, float[] gw) {
        gradients(geo, x, g, null, batch, outChannels, null, gw);
    }

    /**
     * {@code gx += } the input gradient ({@link #inputGradient}, weights {@code w}) and {@code gw
     * +=} the weight gradient ({@link #weightGradient}) in one pass over the output gradient: each
     * image's is copied channels-last once and both its transforms are taken from that copy. The
     * blocks of images, and every sum within them, are those of the two separate calls, so the bits
     * are the same.
     */
    static void bothGradients(
            ConvGeometry geo, float[] x, float[] g, float[] w, int batch, int outChannels, float[] gx, float[] gw) {
        gradients(geo, x, g, w, batch, outChannels, gx, gw);
    }

    /** The weight gradient, and when {@code w} is given the input gradient too (into {@code gx}). */
    private static void gradients(
            ConvGeometry geo, float[] x, float[] g, float[] w, int batch, int outChannels, float[] gx, float[] gw) {
        int channels = geo.channels();
        float[] u = null;
        if (w != null) {
            u = Workspace.get(Workspace.Slot.WINOGRAD_WEIGHTS, POSITIONS * outChannels * padded(channels));
            transformFlippedWeights(w, outChannels, channels, u);
        }
        float[] weights = u;
        int perBlock = imagesPerBlock(geo, batch);
        int perGroup = perBlock * GROUP_BLOCKS;
        int groups = (batch + perGroup - 1) / perGroup;
        int sumSize = POSITIONS * outChannels * padded(channels);
        float[] sums = Workspace.get(Workspace.Slot.WINOGRAD_SUMS, groups * sumSize);
        SelfScheduledLoop.forEach(groups, k -> {
            int end = Math.min(batch, (k + 1) * perGroup);
            for (int first = k * perGroup; first < end; first += perBlock) {
                weightBlock(
                        geo,
                        x,
                        g,
                        first,
                        Math.min(perBlock, end - first),
                        outChannels,
                        sums,
                        k * sumSize,
                        first > k * perGroup,
                        weights,
                        gx);
            }
        });
        for (int k = 1; k < groups; k++) {
            int from = k * sumSize;
            for (int i = 0; i < sumSize; i++) {
                sums[i] += sums[from + i];
            }
        }
        // gw[o, c] += G^T S[o, c] G, in double, rounded once.
        double[] t = new double[12];
        int cPad = padded(channels);
        int step = outChannels * cPad;
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < channels; c++) {
                int at = o * cPad + c;
                // t [3][4] = G^T S
                for (int j = 0; j < 4; j++) {
                    double s0 = sums[at + j * step];
                    double s1 = sums[at + (4 + j) * step];
                    double s2 = sums[at + (8 + j) * step];
                    double s3 = sums[at + (12 + j) * step];
                    t[j] = s0 + 0.5 * (s1 + s2);
                    t[4 + j] = 0.5 * (s1 - s2);
                    t[8 + j] = 0.5 * (s1 + s2) + s3;
                }
                int to = (o * channels + c) * 9;
                for (int i = 0; i < 3; i++) {
                    double t0 = t[4 * i];
                    double t1 = t[4 * i + 1];
                    double t2 = t[4 * i + 2];
                    double t3 = t[4 * i + 3];
                    gw[to + 3 * i] += (float) (t0 + 0.5 * (t1 + t2));
                    gw[to + 3 * i + 1] += (float) (0.5 * (t1 - t2));
                    gw[to + 3 * i + 2] += (float) (0.5 * (t1 + t2) + t3);
                }
            }
        }
    }

    /** Images per group of the weight gradient's sum: {@link #GROUP_BLOCKS} blocks. */
    static int imagesPerGroup(ConvGeometry geo, int batch) {
        return imagesPerBlock(geo, batch) * GROUP_BLOCKS;
    }

    /**
     * Images {@code first .. first + n - 1} of the weight gradient: both transforms, then {@code
     * sums [16][O][cPad]} at {@code to} {@code (+)=} the 16 products ({@code accumulate}: add to
     * what is there, else overwrite). Given the transformed weights {@code u}, also the input
     * gradient of these images into {@code gx}, its transform taken from the same channels-last
     * copy of the output gradient.
     */
    private static void weightBlock(
            ConvGeometry geo,
            float[] x,
            float[] g,
            int first,
            int n,
            int outChannels,
            float[] sums,
            int to,
            boolean accumulate,
            float[] u,
            float[] gx) {
        int channels = geo.channels();
        int h = geo.height();
        int w = geo.width();
        int rows = tileRows(geo);
        int cols = tileCols(geo);
        int tilesPerImage = rows * cols;
        int tiles = n * tilesPerImage;
        int oPad = padded(outChannels);
        int cPad = padded(channels);
        int borderedW = 2 * cols + 2;
        int bordered = (2 * rows + 2) * borderedW;
        float[] plane = Workspace.get(Workspace.Slot.WINOGRAD_PLANE, bordered * Math.max(oPad, cPad));
        float[] v = Workspace.get(Workspace.Slot.COLUMNS, POSITIONS * tiles * cPad);
        float[] z = Workspace.get(Workspace.Slot.PRODUCT, POSITIONS * tiles * oPad);
        float[] d = u == null ? null : Workspace.get(Workspace.Slot.WINOGRAD_TILES, POSITIONS * tiles * oPad);
        int[] pixelAt = pixelPlaces(h, w, borderedW, borderedW + 1);
        int vStride = tiles * cPad;
        int zStride = tiles * oPad;
        for (int j = 0; j < n; j++) {
            int image = first + j;
            channelsLast(x, image * channels * h * w, channels, h, w, borderedW, bordered, cPad, pixelAt, plane);
            transformInput(plane, rows, cols, borderedW, cPad, v, j * tilesPerImage * cPad, vStride);
            channelsLast(g, image * outChannels * h * w, outChannels, h, w, borderedW, bordered, oPad, pixelAt, plane);
            transformGradient(plane, rows, cols, borderedW, oPad, z, j * tilesPerImage * oPad, zStride);
            if (u != null) {
                transformInput(plane, rows, cols, borderedW, oPad, d, j * tilesPerImage * oPad, zStride);
            }
        }
        int sStride = outChannels * cPad;
        for (int xi = 0; xi < POSITIONS; xi++) {
            // S_xi [O x C] (+)= Z_xi^T [O x tiles] * V_xi [tiles x C]: Z_xi's columns as rows.
            product(
                    z,
                    xi * zStride,
                    1,
                    oPad,
                    outChannels,
                    tiles,
                    v,
                    xi * vStride,
                    cPad,
                    sums,
                    to + xi * sStride,
                    accumulate);
        }
        if (u != null) {
            // The input gradient of the same images, as block() does: x's transformed tiles are used
            // up, so their array takes the products.
            int uStride = outChannels * cPad;
            for (int xi = 0; xi < POSITIONS; xi++) {
                panelProduct(d, xi * zStride, oPad, tiles, outChannels, u, xi * uStride, cPad, v, xi * vStride);
            }
            int[] resultAt = pixelPlaces(h, w, 2 * cols, 0);
            int inSize = channels * h * w;
            for (int j = 0; j < n; j++) {
                transformOutput(v, j * tilesPerImage * cPad, vStride, rows, cols, cPad, plane);
                addChannelsFirst(plane, resultAt, cPad, channels, h, w, gx, (first + j) * inSize);
            }
        }
    }

    /**
     * {@code A dy A^T} of every 2x2 tile of one image's output gradient (bordered channels-last in
     * {@code plane}, the tile {@code (ty, tx)} at rows {@code 2ty + 1, 2ty + 2}), a vector of
     * channels at a time, into {@code z} at {@code to} (position {@code xi} at {@code to + xi *
     * stride}, tile {@code t} at {@code t * oPad}). {@code A} is {@code (A^T)^T}: rows {@code (1,
     * 0), (1, 1), (1, -1), (0, -1)}.
     */
    private static void transformGradient(
            float[] plane, int rows, int cols, int borderedW, int oPad, float[] z, int to, int stride) {
        int rowStep = borderedW * oPad;
        for (int ty = 0; ty < rows; ty++) {
            for (int tx = 0; tx < cols; tx++) {
                int at = ((2 * ty + 1) * borderedW + 2 * tx + 1) * oPad;
                int out = to + (ty * cols + tx) * oPad;
                for (int o = 0; o < oPad; o += LANES) {
                    int r0 = at + o;
                    int r1 = r0 + rowStep;
                    var d00 = FloatVector.fromArray(SPECIES, plane, r0);
                    var d01 = FloatVector.fromArray(SPECIES, plane, r0 + oPad);
                    var d10 = FloatVector.fromArray(SPECIES, plane, r1);
                    var d11 = FloatVector.fromArray(SPECIES, plane, r1 + oPad);
                    // Rows: r_i = A[i] dy (per column), then each row times A^T.
                    var a0 = d00;
                    var a1 = d01;
                    var b0 = d00.add(d10);
                    var b1 = d01.add(d11);
                    var c0 = d00.sub(d10);
                    var c1 = d01.sub(d11);
                    var e0 = d10.neg();
                    var e1 = d11.neg();
                    int p = out + o;
                    a0.intoArray(z, p);
                    a0.add(a1).intoArray(z, p + stride);
                    a0.sub(a1).intoArray(z, p + 2 * stride);
                    a1.neg().intoArray(z, p + 3 * stride);
                    b0.intoArray(z, p + 4 * stride);
                    b0.add(b1).intoArray(z, p + 5 * stride);
                    b0.sub(b1).intoArray(z, p + 6 * stride);
                    b1.neg().intoArray(z, p + 7 * stride);
                    c0.intoArray(z, p + 8 * stride);
                    c0.add(c1).intoArray(z, p + 9 * stride);
                    c0.sub(c1).intoArray(z, p + 10 * stride);
                    c1.neg().intoArray(z, p + 11 * stride);
                    e0.intoArray(z, p + 12 * stride);
                    e0.add(e1).intoArray(z, p + 13 * stride);
                    e0.sub(e1).intoArray(z, p + 14 * stride);
                    e1.neg().intoArray(z, p + 15 * stride);
                }
            }
        }
    }

    /**
     * {@code m [tiles][cPad] = v [tiles][oPad] * u [k][cPad]} over the first {@code k} columns of
     * {@code v}: four rows of {@code m} by two vectors in registers at a time. Every element is one
     * chain of fused multiply-adds in the order of {@code k}, whatever the rows and vectors around
     * it, so the bits do not depend on the vector width. {@code u} and {@code v} stay in the cache
     * as they are: no packing.
     */
    static void product(
            float[] v,
            int vOff,
            int rowStride,
            int kStride,
            int rows,
            int k,
            float[] u,
            int uOff,
            int cPad,
            float[] m,
            int mOff,
            boolean accumulate) {
        int t = 0;
        for (; t + 6 <= rows; t += 6) {
            sixRows(v, vOff + t * rowStride, rowStride, kStride, k, u, uOff, cPad, m, mOff + t * cPad, accumulate);
        }
        for (; t + 4 <= rows; t += 4) {
            int a0 = vOff + t * rowStride;
            int a1 = a0 + rowStride;
            int a2 = a1 + rowStride;
            int a3 = a2 + rowStride;
            int c = 0;
            for (; c + 2 * LANES <= cPad; c += 2 * LANES) {
                int r = mOff + t * cPad + c;
                var s00 = accumulate ? FloatVector.fromArray(SPECIES, m, r) : FloatVector.zero(SPECIES);
                var s01 = accumulate ? FloatVector.fromArray(SPECIES, m, r + LANES) : FloatVector.zero(SPECIES);
                var s10 = accumulate ? FloatVector.fromArray(SPECIES, m, r + cPad) : FloatVector.zero(SPECIES);
                var s11 = accumulate ? FloatVector.fromArray(SPECIES, m, r + cPad + LANES) : FloatVector.zero(SPECIES);
                var s20 = accumulate ? FloatVector.fromArray(SPECIES, m, r + 2 * cPad) : FloatVector.zero(SPECIES);
                var s21 = accumulate
                        ? FloatVector.fromArray(SPECIES, m, r + 2 * cPad + LANES)
                        : FloatVector.zero(SPECIES);
                var s30 = accumulate ? FloatVector.fromArray(SPECIES, m, r + 3 * cPad) : FloatVector.zero(SPECIES);
                var s31 = accumulate
                        ? FloatVector.fromArray(SPECIES, m, r + 3 * cPad + LANES)
                        : FloatVector.zero(SPECIES);
                for (int p = 0, q = 0, b = uOff + c; p < k; p++, q += kStride, b += cPad) {
                    var b0 = FloatVector.fromArray(SPECIES, u, b);
                    var b1 = FloatVector.fromArray(SPECIES, u, b + LANES);
                    var x0 = FloatVector.broadcast(SPECIES, v[a0 + q]);
                    s00 = x0.fma(b0, s00);
                    s01 = x0.fma(b1, s01);
                    var x1 = FloatVector.broadcast(SPECIES, v[a1 + q]);
                    s10 = x1.fma(b0, s10);
                    s11 = x1.fma(b1, s11);
                    var x2 = FloatVector.broadcast(SPECIES, v[a2 + q]);
                    s20 = x2.fma(b0, s20);
                    s21 = x2.fma(b1, s21);
                    var x3 = FloatVector.broadcast(SPECIES, v[a3 + q]);
                    s30 = x3.fma(b0, s30);
                    s31 = x3.fma(b1, s31);
                }
                s00.intoArray(m, r);
                s01.intoArray(m, r + LANES);
                s10.intoArray(m, r + cPad);
                s11.intoArray(m, r + cPad + LANES);
                s20.intoArray(m, r + 2 * cPad);
                s21.intoArray(m, r + 2 * cPad + LANES);
                s30.intoArray(m, r + 3 * cPad);
                s31.intoArray(m, r + 3 * cPad + LANES);
            }
            for (; c < cPad; c += LANES) {
                int r = mOff + t * cPad + c;
                var s0 = accumulate ? FloatVector.fromArray(SPECIES, m, r) : FloatVector.zero(SPECIES);
                var s1 = accumulate ? FloatVector.fromArray(SPECIES, m, r + cPad) : FloatVector.zero(SPECIES);
                var s2 = accumulate ? FloatVector.fromArray(SPECIES, m, r + 2 * cPad) : FloatVector.zero(SPECIES);
                var s3 = accumulate ? FloatVector.fromArray(SPECIES, m, r + 3 * cPad) : FloatVector.zero(SPECIES);
                for (int p = 0, q = 0, b = uOff + c; p < k; p++, q += kStride, b += cPad) {
                    var b0 = FloatVector.fromArray(SPECIES, u, b);
                    s0 = FloatVector.broadcast(SPECIES, v[a0 + q]).fma(b0, s0);
                    s1 = FloatVector.broadcast(SPECIES, v[a1 + q]).fma(b0, s1);
                    s2 = FloatVector.broadcast(SPECIES, v[a2 + q]).fma(b0, s2);
                    s3 = FloatVector.broadcast(SPECIES, v[a3 + q]).fma(b0, s3);
                }
                s0.intoArray(m, r);
                s1.intoArray(m, r + cPad);
                s2.intoArray(m, r + 2 * cPad);
                s3.intoArray(m, r + 3 * cPad);
            }
        }
        for (; t < rows; t++) {
            int a0 = vOff + t * rowStride;
            for (int c = 0; c < cPad; c += LANES) {
                int r = mOff + t * cPad + c;
                var s0 = accumulate ? FloatVector.fromArray(SPECIES, m, r) : FloatVector.zero(SPECIES);
                for (int p = 0, q = 0, b = uOff + c; p < k; p++, q += kStride, b += cPad) {
                    s0 = FloatVector.broadcast(SPECIES, v[a0 + q]).fma(FloatVector.fromArray(SPECIES, u, b), s0);
                }
                s0.intoArray(m, r);
            }
        }
    }

    /**
     * {@code m [rows][cPad] = v [rows][k] * u [k][cPad]}, {@code v}'s rows {@code rowStride} apart
     * and each row's {@code k} values side by side, {@code u} in panels ({@link
     * #transformFlippedWeights}): six rows by a panel in registers at a time. The same sums as
     * {@link #product}, each element one chain of fused multiply-adds in the order of {@code k}
     * (the same bits), but every index is the loop counter times a constant, which lets the JIT
     * drop the bounds checks from the loop and unroll it (about a third faster on this machine:
     * docs/performance.md).
     */
    static void panelProduct(
            float[] v, int vOff, int rowStride, int rows, int k, float[] u, int uOff, int cPad, float[] m, int mOff) {
        for (int c = 0; c < cPad; c += PANEL) {
            int panel = uOff + c * k;
            boolean wide = cPad - c >= PANEL;
            // Six rows at a time; the last six end at the last row, so that fewer than six left over
            // are recomputed with some before them (the same values written again) rather than alone.
            for (int next = 0; rows >= 6 && next < rows; next += 6) {
                int t = Math.min(next, rows - 6);
                int a = vOff + t * rowStride;
                int r = mOff + t * cPad + c;
                if (wide) {
                    sixRowsOfPanel(v, a, rowStride, k, u, panel, m, r, cPad);
                } else {
                    sixRowsOfVector(v, a, rowStride, k, u, panel, m, r, cPad);
                }
            }
            for (int t = rows >= 6 ? rows : 0; t < rows; t++) {
                int a = vOff + t * rowStride;
                int r = mOff + t * cPad + c;
                var s0 = FloatVector.zero(SPECIES);
                if (wide) {
                    var s1 = FloatVector.zero(SPECIES);
                    for (int p = 0; p < k; p++) {
                        var x = FloatVector.broadcast(SPECIES, v[a + p]);
                        s0 = x.fma(FloatVector.fromArray(SPECIES, u, panel + p * PANEL), s0);
                        s1 = x.fma(FloatVector.fromArray(SPECIES, u, panel + p * PANEL + LANES), s1);
                    }
                    s1.intoArray(m, r + LANES);
                } else {
                    for (int p = 0; p < k; p++) {
                        var x = FloatVector.broadcast(SPECIES, v[a + p]);
                        s0 = x.fma(FloatVector.fromArray(SPECIES, u, panel + p * LANES), s0);
                    }
                }
                s0.intoArray(m, r);
            }
        }
    }

    /** Six rows by a panel of two vectors of {@link #panelProduct}: twelve sums in registers. */
    private static void sixRowsOfPanel(
            float[] v, int a0, int rowStride, int k, float[] u, int panel, float[] m, int r, int cPad) {
        int a1 = a0 + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        int a4 = a3 + rowStride;
        int a5 = a4 + rowStride;
        var s00 = FloatVector.zero(SPECIES);
        var s01 = s00;
        var s10 = s00;
        var s11 = s00;
        var s20 = s00;
        var s21 = s00;
        var s30 = s00;
        var s31 = s00;
        var s40 = s00;
        var s41 = s00;
        var s50 = s00;
        var s51 = s00;
        for (int p = 0; p < k; p++) {
            var b0 = FloatVector.fromArray(SPECIES, u, panel + p * PANEL);
            var b1 = FloatVector.fromArray(SPECIES, u, panel + p * PANEL + LANES);
            var x0 = FloatVector.broadcast(SPECIES, v[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            var x1 = FloatVector.broadcast(SPECIES, v[a1 + p]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            var x2 = FloatVector.broadcast(SPECIES, v[a2 + p]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            var x3 = FloatVector.broadcast(SPECIES, v[a3 + p]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
            var x4 = FloatVector.broadcast(SPECIES, v[a4 + p]);
            s40 = x4.fma(b0, s40);
            s41 = x4.fma(b1, s41);
            var x5 = FloatVector.broadcast(SPECIES, v[a5 + p]);
            s50 = x5.fma(b0, s50);
            s51 = x5.fma(b1, s51);
        }
        s00.intoArray(m, r);
        s01.intoArray(m, r + LANES);
        s10.intoArray(m, r + cPad);
        s11.intoArray(m, r + cPad + LANES);
        s20.intoArray(m, r + 2 * cPad);
        s21.intoArray(m, r + 2 * cPad + LANES);
        s30.intoArray(m, r + 3 * cPad);
        s31.intoArray(m, r + 3 * cPad + LANES);
        s40.intoArray(m, r + 4 * cPad);
        s41.intoArray(m, r + 4 * cPad + LANES);
        s50.intoArray(m, r + 5 * cPad);
        s51.intoArray(m, r + 5 * cPad + LANES);
    }

    /** Six rows by the last panel when it is one vector wide, of {@link #panelProduct}. */
    private static void sixRowsOfVector(
            float[] v, int a0, int rowStride, int k, float[] u, int panel, float[] m, int r, int cPad) {
        int a1 = a0 + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        int a4 = a3 + rowStride;
        int a5 = a4 + rowStride;
        var s0 = FloatVector.zero(SPECIES);
        var s1 = s0;
        var s2 = s0;
        var s3 = s0;
        var s4 = s0;
        var s5 = s0;
        for (int p = 0; p < k; p++) {
            var b0 = FloatVector.fromArray(SPECIES, u, panel + p * LANES);
            s0 = FloatVector.broadcast(SPECIES, v[a0 + p]).fma(b0, s0);
            s1 = FloatVector.broadcast(SPECIES, v[a1 + p]).fma(b0, s1);
            s2 = FloatVector.broadcast(SPECIES, v[a2 + p]).fma(b0, s2);
            s3 = FloatVector.broadcast(SPECIES, v[a3 + p]).fma(b0, s3);
            s4 = FloatVector.broadcast(SPECIES, v[a4 + p]).fma(b0, s4);
            s5 = FloatVector.broadcast(SPECIES, v[a5 + p]).fma(b0, s5);
        }
        s0.intoArray(m, r);
        s1.intoArray(m, r + cPad);
        s2.intoArray(m, r + 2 * cPad);
        s3.intoArray(m, r + 3 * cPad);
        s4.intoArray(m, r + 4 * cPad);
        s5.intoArray(m, r + 5 * cPad);
    }

    /**
     * Six rows of {@link #product} ({@code v} rows at {@code a}, {@code m} rows at {@code r}): two
     * vectors of columns by six rows are twelve sums in registers, enough independent chains to
     * keep both fused multiply-add units busy through their latency; then one vector by six rows.
     * Each width is a method of its own, small enough for C2 to compile whole with its vector calls
     * inlined (as one method, C2 left some of them as calls in some JVMs and boxed their vectors:
     * docs/performance.md, "Vector boxing, ninth pass").
     */
    private static void sixRows(
            float[] v,
            int a,
            int rowStride,
            int kStride,
            int k,
            float[] u,
            int uOff,
            int cPad,
            float[] m,
            int r,
            boolean accumulate) {
        int c = 0;
        for (; c + 2 * LANES <= cPad; c += 2 * LANES) {
            sixRowsTwoVectors(v, a, rowStride, kStride, k, u, uOff + c, cPad, m, r + c, accumulate);
        }
        for (; c < cPad; c += LANES) {
            sixRowsOneVector(v, a, rowStride, kStride, k, u, uOff + c, cPad, m, r + c, accumulate);
        }
    }

    /** Six rows by two vectors of columns from {@code u} at {@code uAt} and {@code m} at {@code r0}, of {@link #sixRows}. */
    private static void sixRowsTwoVectors(
            float[] v,
            int a,
            int rowStride,
            int kStride,
            int k,
            float[] u,
            int uAt,
            int cPad,
            float[] m,
            int r0,
            boolean accumulate) {
        int a0 = a;
        int a1 = a0 + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        int a4 = a3 + rowStride;
        int a5 = a4 + rowStride;
        var s00 = accumulate ? FloatVector.fromArray(SPECIES, m, r0) : FloatVector.zero(SPECIES);
        var s01 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + LANES) : FloatVector.zero(SPECIES);
        var s10 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + cPad) : FloatVector.zero(SPECIES);
        var s11 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + cPad + LANES) : FloatVector.zero(SPECIES);
        var s20 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 2 * cPad) : FloatVector.zero(SPECIES);
        var s21 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 2 * cPad + LANES) : FloatVector.zero(SPECIES);
        var s30 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 3 * cPad) : FloatVector.zero(SPECIES);
        var s31 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 3 * cPad + LANES) : FloatVector.zero(SPECIES);
        var s40 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 4 * cPad) : FloatVector.zero(SPECIES);
        var s41 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 4 * cPad + LANES) : FloatVector.zero(SPECIES);
        var s50 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 5 * cPad) : FloatVector.zero(SPECIES);
        var s51 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 5 * cPad + LANES) : FloatVector.zero(SPECIES);
        for (int p = 0, q = 0, b = uAt; p < k; p++, q += kStride, b += cPad) {
            var b0 = FloatVector.fromArray(SPECIES, u, b);
            var b1 = FloatVector.fromArray(SPECIES, u, b + LANES);
            var x0 = FloatVector.broadcast(SPECIES, v[a0 + q]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            var x1 = FloatVector.broadcast(SPECIES, v[a1 + q]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            var x2 = FloatVector.broadcast(SPECIES, v[a2 + q]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            var x3 = FloatVector.broadcast(SPECIES, v[a3 + q]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
            var x4 = FloatVector.broadcast(SPECIES, v[a4 + q]);
            s40 = x4.fma(b0, s40);
            s41 = x4.fma(b1, s41);
            var x5 = FloatVector.broadcast(SPECIES, v[a5 + q]);
            s50 = x5.fma(b0, s50);
            s51 = x5.fma(b1, s51);
        }
        s00.intoArray(m, r0);
        s01.intoArray(m, r0 + LANES);
        s10.intoArray(m, r0 + cPad);
        s11.intoArray(m, r0 + cPad + LANES);
        s20.intoArray(m, r0 + 2 * cPad);
        s21.intoArray(m, r0 + 2 * cPad + LANES);
        s30.intoArray(m, r0 + 3 * cPad);
        s31.intoArray(m, r0 + 3 * cPad + LANES);
        s40.intoArray(m, r0 + 4 * cPad);
        s41.intoArray(m, r0 + 4 * cPad + LANES);
        s50.intoArray(m, r0 + 5 * cPad);
        s51.intoArray(m, r0 + 5 * cPad + LANES);
    }

    /** Six rows by one vector of columns, of {@link #sixRows}. */
    private static void sixRowsOneVector(
            float[] v,
            int a,
            int rowStride,
            int kStride,
            int k,
            float[] u,
            int uAt,
            int cPad,
            float[] m,
            int r0,
            boolean accumulate) {
        int a0 = a;
        int a1 = a0 + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        int a4 = a3 + rowStride;
        int a5 = a4 + rowStride;
        var s0 = accumulate ? FloatVector.fromArray(SPECIES, m, r0) : FloatVector.zero(SPECIES);
        var s1 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + cPad) : FloatVector.zero(SPECIES);
        var s2 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 2 * cPad) : FloatVector.zero(SPECIES);
        var s3 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 3 * cPad) : FloatVector.zero(SPECIES);
        var s4 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 4 * cPad) : FloatVector.zero(SPECIES);
        var s5 = accumulate ? FloatVector.fromArray(SPECIES, m, r0 + 5 * cPad) : FloatVector.zero(SPECIES);
        for (int p = 0, q = 0, b = uAt; p < k; p++, q += kStride, b += cPad) {
            var b0 = FloatVector.fromArray(SPECIES, u, b);
            s0 = FloatVector.broadcast(SPECIES, v[a0 + q]).fma(b0, s0);
            s1 = FloatVector.broadcast(SPECIES, v[a1 + q]).fma(b0, s1);
            s2 = FloatVector.broadcast(SPECIES, v[a2 + q]).fma(b0, s2);
            s3 = FloatVector.broadcast(SPECIES, v[a3 + q]).fma(b0, s3);
            s4 = FloatVector.broadcast(SPECIES, v[a4 + q]).fma(b0, s4);
            s5 = FloatVector.broadcast(SPECIES, v[a5 + q]).fma(b0, s5);
        }
        s0.intoArray(m, r0);
        s1.intoArray(m, r0 + cPad);
        s2.intoArray(m, r0 + 2 * cPad);
        s3.intoArray(m, r0 + 3 * cPad);
        s4.intoArray(m, r0 + 4 * cPad);
        s5.intoArray(m, r0 + 5 * cPad);
    }

    /**
     * Where each pixel {@code y * w + x} of an {@code h x w} image goes in a plane of rows {@code
     * rowWidth} pixels wide: {@code y * rowWidth + x + shift}.
     */
    private static int[] pixelPlaces(int h, int w, int rowWidth, int shift) {
        int[] at = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                at[y * w + x] = y * rowWidth + x + shift;
            }
        }
        return at;
    }

    /**
     * One image's output gradient {@code [O][H][W]} into {@code plane [2 rows + 2][2 cols + 2][oPad]}
     * with a zero border one pixel wide (two on the far side when H or W is odd), zeros in the
     * padding channels.
     */
    private static void channelsLast(
            float[] g,
            int from,
            int outChannels,
            int h,
            int w,
            int borderedW,
            int bordered,
            int oPad,
            int[] pixelAt,
            float[] plane) {
        // The border: the first row, the last one or two rows, and each row's first and last one or two pixels.
        Arrays.fill(plane, 0, borderedW * oPad, 0f);
        Arrays.fill(plane, (h + 1) * borderedW * oPad, bordered * oPad, 0f);
        for (int y = 1; y <= h; y++) {
            int row = y * borderedW;
            Arrays.fill(plane, row * oPad, (row + 1) * oPad, 0f);
            Arrays.fill(plane, (row + w + 1) * oPad, (row + borderedW) * oPad, 0f);
            if (oPad > outChannels) {
                for (int x = 1; x <= w; x++) {
                    Arrays.fill(plane, (row + x) * oPad + outChannels, (row + x + 1) * oPad, 0f);
                }
            }
        }
        int pixels = h * w;
        // Eight channels by a vector of pixels at a time, transposed in registers; the pixels go to their
        // places in the bordered plane, which no single stride describes (the border).
        int rows = BlockTranspose.ROWS;
        int cols = BlockTranspose.COLS;
        int[] rowAt = new int[rows];
        int[] colAt = new int[cols];
        float[] tile = new float[BlockTranspose.TILE];
        int o = 0;
        for (; o + rows <= outChannels; o += rows) {
            for (int i = 0; i < rows; i++) {
                rowAt[i] = from + (o + i) * pixels;
            }
            int p = 0;
            for (; p + cols <= pixels; p += cols) {
                for (int i = 0; i < cols; i++) {
                    colAt[i] = pixelAt[p + i] * oPad + o;
                }
                BlockTranspose.scattered(g, rowAt, p, plane, colAt, 0, tile);
            }
            for (; p < pixels; p++) {
                int to = pixelAt[p] * oPad + o;
                for (int i = 0; i < rows; i++) {
                    plane[to + i] = g[rowAt[i] + p];
                }
            }
        }
        for (; o < outChannels; o++) {
            for (int p = 0; p < pixels; p++) {
                plane[pixelAt[p] * oPad + o] = g[from + o * pixels + p];
            }
        }
    }

    /**
     * {@code B^T d B} of every tile of one image, a vector of channels at a time, into {@code v}
     * at {@code to} (position {@code xi} at {@code to + xi * stride}, tile {@code t} at {@code t * oPad}).
     */
    private static void transformInput(
            float[] plane, int rows, int cols, int borderedW, int oPad, float[] v, int to, int stride) {
        int rowStep = borderedW * oPad;
        for (int ty = 0; ty < rows; ty++) {
            for (int tx = 0; tx < cols; tx++) {
                int at = (2 * ty * borderedW + 2 * tx) * oPad;
                int out = to + (ty * cols + tx) * oPad;
                for (int o = 0; o < oPad; o += LANES) {
                    int r0 = at + o;
                    int r1 = r0 + rowStep;
                    int r2 = r1 + rowStep;
                    int r3 = r2 + rowStep;
                    // Columns first: t_j = B^T d (column j), then each row of t times B.
                    var d00 = FloatVector.fromArray(SPECIES, plane, r0);
                    var d01 = FloatVector.fromArray(SPECIES, plane, r0 + oPad);
                    var d02 = FloatVector.fromArray(SPECIES, plane, r0 + 2 * oPad);
                    var d03 = FloatVector.fromArray(SPECIES, plane, r0 + 3 * oPad);
                    var d10 = FloatVector.fromArray(SPECIES, plane, r1);
                    var d11 = FloatVector.fromArray(SPECIES, plane, r1 + oPad);
                    var d12 = FloatVector.fromArray(SPECIES, plane, r1 + 2 * oPad);
                    var d13 = FloatVector.fromArray(SPECIES, plane, r1 + 3 * oPad);
                    var d20 = FloatVector.fromArray(SPECIES, plane, r2);
                    var d21 = FloatVector.fromArray(SPECIES, plane, r2 + oPad);
                    var d22 = FloatVector.fromArray(SPECIES, plane, r2 + 2 * oPad);
                    var d23 = FloatVector.fromArray(SPECIES, plane, r2 + 3 * oPad);
                    var d30 = FloatVector.fromArray(SPECIES, plane, r3);
                    var d31 = FloatVector.fromArray(SPECIES, plane, r3 + oPad);
                    var d32 = FloatVector.fromArray(SPECIES, plane, r3 + 2 * oPad);
                    var d33 = FloatVector.fromArray(SPECIES, plane, r3 + 3 * oPad);
                    var t00 = d00.sub(d20);
                    var t01 = d01.sub(d21);
                    var t02 = d02.sub(d22);
                    var t03 = d03.sub(d23);
                    var t10 = d10.add(d20);
                    var t11 = d11.add(d21);
                    var t12 = d12.add(d22);
                    var t13 = d13.add(d23);
                    var t20 = d20.sub(d10);
                    var t21 = d21.sub(d11);
                    var t22 = d22.sub(d12);
                    var t23 = d23.sub(d13);
                    var t30 = d10.sub(d30);
                    var t31 = d11.sub(d31);
                    var t32 = d12.sub(d32);
                    var t33 = d13.sub(d33);
                    int p = out + o;
                    t00.sub(t02).intoArray(v, p);
                    t01.add(t02).intoArray(v, p + stride);
                    t02.sub(t01).intoArray(v, p + 2 * stride);
                    t01.sub(t03).intoArray(v, p + 3 * stride);
                    t10.sub(t12).intoArray(v, p + 4 * stride);
                    t11.add(t12).intoArray(v, p + 5 * stride);
                    t12.sub(t11).intoArray(v, p + 6 * stride);
                    t11.sub(t13).intoArray(v, p + 7 * stride);
                    t20.sub(t22).intoArray(v, p + 8 * stride);
                    t21.add(t22).intoArray(v, p + 9 * stride);
                    t22.sub(t21).intoArray(v, p + 10 * stride);
                    t21.sub(t23).intoArray(v, p + 11 * stride);
                    t30.sub(t32).intoArray(v, p + 12 * stride);
                    t31.add(t32).intoArray(v, p + 13 * stride);
                    t32.sub(t31).intoArray(v, p + 14 * stride);
                    t31.sub(t33).intoArray(v, p + 15 * stride);
                }
            }
        }
    }

    /**
     * {@code A^T M A} of every tile of one image (its products at {@code from}, position {@code
     * xi} at {@code from + xi * stride}), a vector of channels at a time, into {@code out [2 rows][2
     * cols][cPad]}.
     */
    private static void transformOutput(float[] m, int from, int stride, int rows, int cols, int cPad, float[] out) {
        int outW = 2 * cols;
        for (int ty = 0; ty < rows; ty++) {
            for (int tx = 0; tx < cols; tx++) {
                int at = from + (ty * cols + tx) * cPad;
                int y0 = (2 * ty * outW + 2 * tx) * cPad;
                int y1 = y0 + outW * cPad;
                for (int c = 0; c < cPad; c += LANES) {
                    int p = at + c;
                    var m00 = FloatVector.fromArray(SPECIES, m, p);
                    var m01 = FloatVector.fromArray(SPECIES, m, p + stride);
                    var m02 = FloatVector.fromArray(SPECIES, m, p + 2 * stride);
                    var m03 = FloatVector.fromArray(SPECIES, m, p + 3 * stride);
                    var m10 = FloatVector.fromArray(SPECIES, m, p + 4 * stride);
                    var m11 = FloatVector.fromArray(SPECIES, m, p + 5 * stride);
                    var m12 = FloatVector.fromArray(SPECIES, m, p + 6 * stride);
                    var m13 = FloatVector.fromArray(SPECIES, m, p + 7 * stride);
                    var m20 = FloatVector.fromArray(SPECIES, m, p + 8 * stride);
                    var m21 = FloatVector.fromArray(SPECIES, m, p + 9 * stride);
                    var m22 = FloatVector.fromArray(SPECIES, m, p + 10 * stride);
                    var m23 = FloatVector.fromArray(SPECIES, m, p + 11 * stride);
                    var m30 = FloatVector.fromArray(SPECIES, m, p + 12 * stride);
                    var m31 = FloatVector.fromArray(SPECIES, m, p + 13 * stride);
                    var m32 = FloatVector.fromArray(SPECIES, m, p + 14 * stride);
                    var m33 = FloatVector.fromArray(SPECIES, m, p + 15 * stride);
                    // Columns first: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 (per column), then the rows.
                    var s00 = m00.add(m10).add(m20);
                    var s01 = m01.add(m11).add(m21);
                    var s02 = m02.add(m12).add(m22);
                    var s03 = m03.add(m13).add(m23);
                    var s10 = m10.sub(m20).sub(m30);
                    var s11 = m11.sub(m21).sub(m31);
                    var s12 = m12.sub(m22).sub(m32);
                    var s13 = m13.sub(m23).sub(m33);
                    s00.add(s01).add(s02).intoArray(out, y0 + c);
                    s01.sub(s02).sub(s03).intoArray(out, y0 + cPad + c);
                    s10.add(s11).add(s12).intoArray(out, y1 + c);
                    s11.sub(s12).sub(s13).intoArray(out, y1 + cPad + c);
                }
            }
        }
    }

    /** {@code gx [C][H][W]} at {@code to} {@code +=} the channels-last results (the odd row and column dropped). */
    private static void addChannelsFirst(
            float[] out, int[] resultAt, int cPad, int channels, int h, int w, float[] gx, int to) {
        int pixels = h * w;
        // Eight pixels by a vector of channels at a time, transposed in registers and added as vectors.
        int rows = BlockTranspose.ROWS;
        int cols = BlockTranspose.COLS;
        int[] rowAt = new int[rows];
        int[] colAt = new int[cols];
        float[] tile = new float[BlockTranspose.TILE];
        int c = 0;
        for (; c + cols <= channels; c += cols) {
            for (int i = 0; i < cols; i++) {
                colAt[i] = to + (c + i) * pixels;
            }
            int p = 0;
            for (; p + rows <= pixels; p += rows) {
                for (int i = 0; i < rows; i++) {
                    rowAt[i] = resultAt[p + i] * cPad + c;
                }
                BlockTranspose.scatteredAdd(out, rowAt, 0, gx, colAt, p, tile);
            }
            for (; p < pixels; p++) {
                int src = resultAt[p] * cPad + c;
                for (int i = 0; i < cols; i++) {
                    gx[colAt[i] + p] += out[src + i];
                }
            }
        }
        for (; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                gx[to + c * pixels + p] += out[resultAt[p] * cPad + c];
            }
        }
    }
}
