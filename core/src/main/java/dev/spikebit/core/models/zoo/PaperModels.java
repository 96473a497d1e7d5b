package dev.spikebit.core.models.zoo;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.LayerFactory;
import dev.spikebit.core.models.LayerFactory.Position;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Normalize;
import dev.spikebit.core.nn.Sequential;
import java.util.SplittableRandom;

/**
 * The architectures of the SNN papers the two methods are evaluated on, by the names the
 * literature uses (docs/models.md lists every layer, with parameters and FLOPs per step):
 * <ul>
 *   <li>{@code vggsnn}: TET's VGGSNN (Deng et al., ICLR 2022) for 48x48 event frames,
 *       {@code 64C3-128C3-AP2-256C3-256C3-AP2-512C3-512C3-AP2-512C3-512C3-AP2-FC};</li>
 *   <li>{@code vggsnn-s}: the same pattern made small for 34x34 frames ({@code nfashion-mnist},
 *       N-MNIST), {@code 16C3-AP2-32C3-AP2-64C3-AP2-FC}, trainable on a CPU in minutes;</li>
 *   <li>{@code resnet19}: tdBN's ResNet-19 (Zheng et al., AAAI 2021) for CIFAR;</li>
 *   <li>{@code resnet20}: He et al.'s CIFAR ResNet-20 (6n+2, n = 3) with tdBN spiking blocks;</li>
 *   <li>{@code ms-resnet18}: MS-ResNet-18 (Hu et al., TNNLS 2024), membrane shortcuts, CIFAR stem.</li>
 * </ul>
 * Every conv is {@code k3 p1} without bias and followed by BN (a bias before BN is redundant).
 * The first conv is the stem ({@link Position#FIRST}: it runs once on a static image and is
 * repeated over T, or per step on event frames) and the classifier linear is {@link Position#LAST};
 * all other weight layers are {@link Position#HIDDEN}, so the layer factory makes them binary or
 * sub-bit. Neurons come from the factory too: LIF, or ReverB with {@code --spikes real}.
 *
 * <p>The builders take any input the architecture can process: any channel count, any square
 * size at least as large as the downsampling needs, any number of classes. Images are normalised
 * in the stem (a deployed model takes raw pixels in [0, 1]): 3 channels with the CIFAR-10
 * statistics, 1 channel with Fashion-MNIST's; event frames (counts) are not normalised.
 */
public final class PaperModels {
    /** CIFAR-10 training-set channel statistics (the values of {@code data.cifar.Cifar10.STATS}). */
    public static final float[] CIFAR10_MEAN = {0.4914f, 0.4822f, 0.4465f};

    public static final float[] CIFAR10_STD = {0.2470f, 0.2435f, 0.2616f};

    private PaperModels() {}

    // ------------------------------------------------------------------ VGG

    /** TET's VGGSNN: eight conv-BN-LIF layers in four stages, each stage ending in 2x2 average pooling. */
    public static SpikingClassifier vggsnn(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        return vgg(spec, layers, rng, new int[][] {{64, 128}, {256, 256}, {512, 512}, {512, 512}});
    }

    /** The small VGGSNN: three conv-BN-LIF layers, each followed by 2x2 average pooling. */
    public static SpikingClassifier vggsnnSmall(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        return vgg(spec, layers, rng, new int[][] {{16}, {32}, {64}});
    }

    /**
     * A VGG of conv-BN-LIF layers; {@code stages[i]} lists the output channels of stage i's convs,
     * and every stage ends in {@code AvgPool2d(2)}. Then flatten and one linear classifier.
     */
    private static SpikingClassifier vgg(ModelSpec spec, LayerFactory layers, SplittableRandom rng, int[][] stages) {
        int size = spec.inSize();
        requireSize(spec, 1 << stages.length);
        int first = stages[0][0];
        Sequential stem = stem(spec, layers, rng, first);
        Sequential body = new Sequential(layers.neuron(spec));
        int channels = first;
        for (int s = 0; s < stages.length; s++) {
            for (int c = s == 0 ? 1 : 0; c < stages[s].length; c++) {
                body.add(layers.conv(Position.HIDDEN, channels, stages[s][c], 3, 1, 1, false, rng));
                body.add(BatchNorm.of2d(stages[s][c]));
                body.add(layers.neuron(spec));
                channels = stages[s][c];
            }
            body.add(new AvgPool2d(2));
            size /= 2;
        }
        body.add(Flatten.multiStep());
        body.add(layers.linear(Position.LAST, channels * size * size, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    // ------------------------------------------------------------------ ResNets

    /**
     * tdBN's ResNet-19: conv 128; 3 blocks of 128; 3 of 256 (the first stride 2); 2 of 512 (the first
     * stride 2); global average pool; linear 512->256, LIF; linear 256->classes.
     */
    public static SpikingClassifier resnet19(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireSize(spec, 4);
        Sequential stem = stem(spec, layers, rng, 128);
        Sequential body = new Sequential(layers.neuron(spec));
        int channels = basicStages(body, spec, layers, rng, 128, new int[] {128, 256, 512}, new int[] {3, 3, 2});
        body.add(AvgPool2d.global());
        body.add(Flatten.multiStep());
        body.add(layers.linear(Position.HIDDEN, channels, 256, true, rng));
        body.add(layers.neuron(spec));
        body.add(layers.linear(Position.LAST, 256, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    /** CIFAR ResNet-20: conv 16; 3 blocks each of 16, 32 and 64 channels; global average pool; linear. */
    public static SpikingClassifier resnet20(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireSize(spec, 4);
        Sequential stem = stem(spec, layers, rng, 16);
        Sequential body = new Sequential(layers.neuron(spec));
        int channels = basicStages(body, spec, layers, rng, 16, new int[] {16, 32, 64}, new int[] {3, 3, 3});
        body.add(AvgPool2d.global());
        body.add(Flatten.multiStep());
        body.add(layers.linear(Position.LAST, channels, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    /**
     * MS-ResNet-18 for CIFAR: conv 64; two membrane-shortcut blocks each of 64, 128, 256 and 512
     * channels (the first of each later stage stride 2); LIF; global average pool; linear.
     */
    public static SpikingClassifier msResnet18(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireSize(spec, 8);
        Sequential stem = stem(spec, layers, rng, 64);
        Sequential body = new Sequential();
        int channels = 64;
        int[] widths = {64, 128, 256, 512};
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < 2; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                body.add(new MsBlock(channels, widths[s], stride, spec, layers, rng));
                channels = widths[s];
            }
        }
        body.add(layers.neuron(spec));
        body.add(AvgPool2d.global());
        body.add(Flatten.multiStep());
        body.add(layers.linear(Position.LAST, channels, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    /** Adds stages of tdBN basic blocks; every stage after the first starts with stride 2. Returns the width. */
    private static int basicStages(
            Sequential body,
            ModelSpec spec,
            LayerFactory layers,
            SplittableRandom rng,
            int channels,
            int[] widths,
            int[] blocks) {
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                body.add(new BasicBlock(channels, widths[s], stride, spec, layers, rng));
                channels = widths[s];
            }
        }
        return channels;
    }

    // ------------------------------------------------------------------ shared parts

    /** Normalisation (for images), the first conv {@code k3 s1 p1} and its BN. */
    private static Sequential stem(ModelSpec spec, LayerFactory layers, SplittableRandom rng, int channels) {
        Sequential stem = new Sequential();
        Module normalize = imageNormalization(spec.inChannels());
        if (normalize != null) {
            stem.add(normalize);
        }
        stem.add(layers.conv(Position.FIRST, spec.inChannels(), channels, 3, 1, 1, false, rng));
        stem.add(BatchNorm.of2d(channels));
        return stem;
    }

    /** CIFAR-10 statistics for RGB, Fashion-MNIST's for grey images, nothing for event frames. */
    static Module imageNormalization(int channels) {
        return switch (channels) {
            case 3 -> new Normalize(CIFAR10_MEAN, CIFAR10_STD);
            case 1 -> new Normalize(new float[] {ModelZoo.FMNIST_MEAN}, new float[] {ModelZoo.FMNIST_STD});
            default -> null;
        };
    }

    /** The spec's input must be at least {@code min} pixels wide, so every downsampling step keeps a pixel. */
    private static void requireSize(ModelSpec spec, int min) {
        if (spec.inSize() < min || spec.inChannels() < 1) {
            throw new SpikebitException("model " + spec.model() + " needs input of at least " + min + "x" + min
                    + " pixels, the data has " + spec.inChannels() + "x" + spec.inSize() + "x" + spec.inSize());
        }
    }
}
