package dev.spikebit.runtime.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A deployed network: its layers and the shapes that flow through them (docs/reverb.md 3; the
 * {@code codeword_conv} of docs/s2nn.md 6 takes the shape rule of {@code sign_conv}).
 *
 * <p>The constructor checks the structure (unique names, exactly one {@link Layer.Repeat} with no
 * neuron before it, {@link Layer.MeanOverTime} last and only there) and the shapes from
 * {@code inputShape} to {@code [numClasses]}, in long arithmetic, refusing any activation of
 * more than {@value #MAX_ACTIVATION} values per sample: a file cannot make the runtime allocate
 * more than its header honestly describes.
 *
 * @param model      the zoo name of the network
 * @param timeSteps  T
 * @param inputShape one image {@code [C, H, W]}
 * @param numClasses the output size
 * @param layers     the nodes in order
 * @param shapes     each layer's output shape per sample and step
 */
public record Graph(
        String model, int timeSteps, int[] inputShape, int numClasses, List<Layer> layers, List<int[]> shapes) {
    /** The most values one activation of one sample may hold (1 GiB of floats). */
    public static final long MAX_ACTIVATION = 1L << 28;

    /** Checks the layers and computes their shapes; fails with {@link IllegalArgumentException}. */
    public static Graph of(String model, int timeSteps, int[] inputShape, int numClasses, List<Layer> layers) {
        if (timeSteps < 1) {
            throw new IllegalArgumentException("timeSteps must be >= 1, got " + timeSteps);
        }
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException(
                    "inputShape must be [C, H, W] with sizes >= 1, got " + Arrays.toString(inputShape));
        }
        checkSize("inputShape", inputShape);
        checkStructure(layers);
        List<int[]> shapes = new ArrayList<>();
        int[] shape = inputShape.clone();
        for (Layer layer : layers) {
            shape = outputShape(layer, shape);
            checkSize("the output of node \"" + layer.name() + "\"", shape);
            shapes.add(shape);
        }
        if (shape.length != 1 || shape[0] != numClasses) {
            throw new IllegalArgumentException("the network ends in shape " + Arrays.toString(shape) + ", expected ["
                    + numClasses + "] for numClasses " + numClasses);
        }
        return new Graph(model, timeSteps, inputShape.clone(), numClasses, List.copyOf(layers), List.copyOf(shapes));
    }

    /** The index of the repeat node: layers before it run once per image. */
    public int repeatIndex() {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Layer.Repeat) {
                return i;
            }
        }
        throw new IllegalStateException("no repeat node");
    }

    /** The input shape of layer {@code i}. */
    public int[] inputShapeOf(int i) {
        return i == 0 ? inputShape.clone() : shapes.get(i - 1).clone();
    }

    /** Values per sample of an activation. */
    public static int count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return (int) n;
    }

    private static void checkSize(String what, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > MAX_ACTIVATION) {
                throw new IllegalArgumentException(what + " " + Arrays.toString(shape) + " holds more than "
                        + MAX_ACTIVATION + " values per sample");
            }
        }
    }

    private static void checkStructure(List<Layer> layers) {
        Set<String> names = new HashSet<>();
        int repeats = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer.name().isEmpty()) {
                throw new IllegalArgumentException("node " + i + " (" + layer.kind() + ") has an empty name");
            }
            if (!names.add(layer.name())) {
                throw new IllegalArgumentException("two nodes are named \"" + layer.name() + "\"");
            }
            if (layer instanceof Layer.Repeat) {
                repeats++;
            } else if (layer instanceof Layer.Neuron && repeats == 0) {
                throw new IllegalArgumentException(
                        "neuron \"" + layer.name() + "\" comes before the repeat node; neurons run over time steps");
            } else if (layer instanceof Layer.MeanOverTime && i != layers.size() - 1) {
                throw new IllegalArgumentException(
                        "mean_over_time node \"" + layer.name() + "\" must be the last node");
            }
        }
        if (repeats != 1) {
            throw new IllegalArgumentException("expected exactly one repeat node, found " + repeats);
        }
        if (layers.isEmpty() || !(layers.getLast() instanceof Layer.MeanOverTime)) {
            throw new IllegalArgumentException("the last node must be mean_over_time (the readout)");
        }
    }

    /** The shape {@code layer} produces from {@code in}, or a failure naming the layer. */
    static int[] outputShape(Layer layer, int[] in) {
        return switch (layer) {
            case Layer.Normalize n -> channels(layer, in, n.mean().length, 3);
            case Layer.Conv c -> conv(layer, in, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.SignConv c ->
                conv(layer, in, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.CodewordConv c ->
                conv(layer, in, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding());
            case Layer.Linear l -> features(layer, in, l.inFeatures(), l.outFeatures());
            case Layer.SignLinear l -> features(layer, in, l.inFeatures(), l.outFeatures());
            case Layer.Affine a -> channels(layer, in, a.scale().length, -1);
            case Layer.Neuron n -> channels(layer, in, n.channels(), -1);
            case Layer.MaxPool p -> pool(layer, in, p.kernel(), p.stride());
            case Layer.AvgPool p -> {
                if (!p.isGlobal()) {
                    yield pool(layer, in, p.kernel(), p.stride());
                }
                rank(layer, in, 3);
                if (in[1] != in[2]) {
                    throw bad(layer, in, "global avg_pool needs square maps");
                }
                yield new int[] {in[0], 1, 1};
            }
            case Layer.Flatten f -> new int[] {count(in)};
            case Layer.Repeat r -> in.clone();
            case Layer.MeanOverTime m -> in.clone();
        };
    }

    private static int[] channels(Layer layer, int[] in, int channels, int requiredRank) {
        if (requiredRank > 0) {
            rank(layer, in, requiredRank);
        }
        if (in[0] != channels) {
            throw bad(layer, in, "it has " + channels + " channels");
        }
        return in.clone();
    }

    private static int[] features(Layer layer, int[] in, int inFeatures, int outFeatures) {
        rank(layer, in, 1);
        if (in[0] != inFeatures) {
            throw bad(layer, in, "it expects " + inFeatures + " input features");
        }
        return new int[] {outFeatures};
    }

    private static int[] conv(
            Layer layer, int[] in, int inChannels, int outChannels, int kernel, int stride, int padding) {
        rank(layer, in, 3);
        if (in[0] != inChannels) {
            throw bad(layer, in, "it expects " + inChannels + " input channels");
        }
        return new int[] {
            outChannels,
            window(layer, in, in[1], kernel, stride, padding),
            window(layer, in, in[2], kernel, stride, padding)
        };
    }

    private static int[] pool(Layer layer, int[] in, int kernel, int stride) {
        rank(layer, in, 3);
        return new int[] {
            in[0], window(layer, in, in[1], kernel, stride, 0), window(layer, in, in[2], kernel, stride, 0)
        };
    }

    private static int window(Layer layer, int[] in, int size, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1) {
            throw bad(layer, in, "kernel and stride must be >= 1, got " + kernel + " and " + stride);
        }
        long padded = (long) size + 2L * padding;
        if (padded < kernel) {
            throw bad(layer, in, "the window " + kernel + " is larger than the padded input " + padded);
        }
        long out = (padded - kernel) / stride + 1;
        if (out > MAX_ACTIVATION) {
            throw bad(layer, in, "its output would be " + out + " wide, more than " + MAX_ACTIVATION);
        }
        return (int) out;
    }

    private static void rank(Layer layer, int[] in, int rank) {
        if (in.length != rank) {
            throw bad(layer, in, "it expects input of rank " + rank);
        }
    }

    private static IllegalArgumentException bad(Layer layer, int[] in, String why) {
        return new IllegalArgumentException("node \"" + layer.name() + "\" (" + layer.kind() + ") cannot take input "
                + Arrays.toString(in) + ": " + why);
    }
}
