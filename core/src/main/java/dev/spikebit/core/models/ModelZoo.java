package dev.spikebit.core.models;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.LayerFactory.Position;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Normalize;
import dev.spikebit.core.nn.Sequential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The named architectures. Each entry documents its layer list; the reference models are kept
 * exactly as their issue defines them because benchmarks compare against them.
 */
public final class ModelZoo {
    /** Builds one architecture for a spec, drawing weights from {@code rng}. */
    @FunctionalInterface
    public interface Builder {
        SpikingClassifier build(ModelSpec spec, LayerFactory layers, SplittableRandom rng);
    }

    /** A zoo entry: its name, what it is, its default input and T, and how to build it. */
    public record Entry(
            String name,
            String description,
            int inChannels,
            int inSize,
            int numClasses,
            int timeSteps,
            Builder builder) {}

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(new Entry(
                "fmnist-cnn",
                "reference CNN for Fashion-MNIST: conv 1->32 k3 p1, BN, LIF, maxpool 2; conv 32->64 k3 p1, BN, LIF, "
                        + "maxpool 2; linear 3136->128, LIF; linear 128->10; mean over T",
                1,
                28,
                10,
                4,
                ModelZoo::fmnistCnn));
        register(new Entry(
                "fmnist-cnn-avg",
                "fmnist-cnn in the form NIR and the PyTorch SNN frameworks express (docs/interop.md): raw pixels, "
                        + "conv 1->32 k3 p1, BN, LIF, avgpool 2; conv 32->64 k3 p1, BN, LIF, avgpool 2; "
                        + "linear 3136->128, LIF; linear 128->10; mean over T",
                1,
                28,
                10,
                4,
                ModelZoo::fmnistCnnAvg));
        register(new Entry(
                "fmnist-vgg-s",
                "small VGG for Fashion-MNIST with several sub-bit-eligible 3x3 convs: conv 1->16 (full precision), "
                        + "conv 16->32, maxpool 2, conv 32->64, conv 64->64, maxpool 2, global average pool, "
                        + "linear 64->10; every conv k3 p1 no bias + BN + LIF; mean over T",
                1,
                28,
                10,
                4,
                ModelZoo::fmnistVggS));
        register(new Entry(
                "fmnist-vgg-w",
                "wide VGG for Fashion-MNIST at one bit per weight or less: conv 1->32 (first), conv 32->64, maxpool 2, "
                        + "conv 64->128, conv 128->128, maxpool 2, flatten, linear 6272->256, LIF, linear 256->10; "
                        + "every conv k3 p1 no bias + BN + LIF; mean over T",
                1,
                28,
                10,
                4,
                ModelZoo::fmnistVggW));
        register(new Entry(
                "vggsnn",
                "TET's VGGSNN for 48x48x2 event frames: 64C3-128C3-AP2-256C3-256C3-AP2-512C3-512C3-AP2-512C3-512C3-AP2-"
                        + "FC(512*3*3->classes); every conv k3 p1 no bias + BN + LIF; mean over T",
                2,
                48,
                10,
                10,
                dev.spikebit.core.models.zoo.PaperModels::vggsnn));
        register(new Entry(
                "vggsnn-s",
                "small VGGSNN for 34x34x2 event frames (nfashion-mnist, N-MNIST): 16C3-AP2-32C3-AP2-64C3-AP2-"
                        + "FC(64*4*4->classes); every conv k3 p1 no bias + BN + LIF; mean over T",
                2,
                34,
                10,
                4,
                dev.spikebit.core.models.zoo.PaperModels::vggsnnSmall));
        register(new Entry(
                "resnet19",
                "tdBN ResNet-19 for CIFAR: conv 128; basic blocks 3x128, 3x256 (s2), 2x512 (s2); global avgpool; "
                        + "FC 512->256, LIF; FC 256->classes; mean over T",
                3,
                32,
                10,
                4,
                dev.spikebit.core.models.zoo.PaperModels::resnet19));
        register(new Entry(
                "resnet20",
                "CIFAR ResNet-20 with tdBN spiking blocks: conv 16; basic blocks 3x16, 3x32 (s2), 3x64 (s2); "
                        + "global avgpool; FC 64->classes; mean over T",
                3,
                32,
                10,
                4,
                dev.spikebit.core.models.zoo.PaperModels::resnet20));
        register(new Entry(
                "ms-resnet18",
                "MS-ResNet-18 (membrane shortcuts) for CIFAR: conv 64; MS blocks 2x64, 2x128 (s2), 2x256 (s2), "
                        + "2x512 (s2); LIF; global avgpool; FC 512->classes; mean over T",
                3,
                32,
                10,
                4,
                dev.spikebit.core.models.zoo.PaperModels::msResnet18));
    }

    private ModelZoo() {}

    public static void register(Entry entry) {
        ENTRIES.put(entry.name(), entry);
    }

    public static List<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    public static Entry entry(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new SpikebitException(
                    "unknown model \"" + name + "\"; known models: " + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }

    /** The zoo entry's default spec (input size, classes, T) with the defaults of docs/methods.md 1. */
    public static ModelSpec defaultSpec(String name) {
        Entry e = entry(name);
        return ModelSpec.defaults(name, e.timeSteps(), e.inChannels(), e.inSize(), e.numClasses());
    }

    /** Builds the spec's model with the given layer factory; the same seed gives the same weights. */
    public static SpikingClassifier build(ModelSpec spec, LayerFactory layers, long seed) {
        return entry(spec.model()).builder().build(spec, layers, new SplittableRandom(seed));
    }

    /** Builds a full-precision model; binary and sub-bit weights need the quantization module's factory. */
    public static SpikingClassifier build(ModelSpec spec, long seed) {
        if (spec.weights() != WeightKind.FP) {
            throw new SpikebitException("model " + spec.model() + " with "
                    + spec.weights().id() + " weights needs the quantization layer factory (spikebit-quant)");
        }
        return build(spec, LayerFactory.FULL_PRECISION, seed);
    }

    /** Fashion-MNIST statistics used to normalise its input (mean and standard deviation of the training pixels). */
    public static final float FMNIST_MEAN = 0.2860f;

    public static final float FMNIST_STD = 0.3530f;

    private static SpikingClassifier fmnistCnn(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireInput(spec, 1, 28);
        Sequential stem = new Sequential(
                new Normalize(new float[] {FMNIST_MEAN}, new float[] {FMNIST_STD}),
                layers.conv(Position.FIRST, 1, 32, 3, 1, 1, false, rng),
                BatchNorm.of2d(32));
        Sequential body = new Sequential(
                layers.neuron(spec),
                new MaxPool2d(2),
                layers.conv(Position.HIDDEN, 32, 64, 3, 1, 1, false, rng),
                BatchNorm.of2d(64),
                layers.neuron(spec),
                new MaxPool2d(2),
                Flatten.multiStep(),
                layers.linear(Position.HIDDEN, 64 * 7 * 7, 128, true, rng),
                layers.neuron(spec),
                layers.linear(Position.LAST, 128, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    /**
     * fmnist-cnn without the two things NIR has no node for: the input normalisation (a per-channel
     * affine map whose zero padding differs from a conv bias's at the borders) and max pooling. The
     * first BN learns the normalisation; average pooling of spikes feeds the next conv real values,
     * which every NIR consumer handles.
     */
    private static SpikingClassifier fmnistCnnAvg(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireInput(spec, 1, 28);
        Sequential stem = new Sequential(layers.conv(Position.FIRST, 1, 32, 3, 1, 1, false, rng), BatchNorm.of2d(32));
        Sequential body = new Sequential(
                layers.neuron(spec),
                new AvgPool2d(2),
                layers.conv(Position.HIDDEN, 32, 64, 3, 1, 1, false, rng),
                BatchNorm.of2d(64),
                layers.neuron(spec),
                new AvgPool2d(2),
                Flatten.multiStep(),
                layers.linear(Position.HIDDEN, 64 * 7 * 7, 128, true, rng),
                layers.neuron(spec),
                layers.linear(Position.LAST, 128, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    private static SpikingClassifier fmnistVggS(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireInput(spec, 1, 28);
        Sequential stem = new Sequential(
                new Normalize(new float[] {FMNIST_MEAN}, new float[] {FMNIST_STD}),
                layers.conv(Position.FIRST, 1, 16, 3, 1, 1, false, rng),
                BatchNorm.of2d(16));
        Sequential body = new Sequential(
                layers.neuron(spec),
                layers.conv(Position.HIDDEN, 16, 32, 3, 1, 1, false, rng),
                BatchNorm.of2d(32),
                layers.neuron(spec),
                new MaxPool2d(2),
                layers.conv(Position.HIDDEN, 32, 64, 3, 1, 1, false, rng),
                BatchNorm.of2d(64),
                layers.neuron(spec),
                layers.conv(Position.HIDDEN, 64, 64, 3, 1, 1, false, rng),
                BatchNorm.of2d(64),
                layers.neuron(spec),
                new MaxPool2d(2),
                AvgPool2d.global(),
                Flatten.multiStep(),
                layers.linear(Position.LAST, 64, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    /**
     * A wider VGG for 28x28 images: three sub-bit-eligible 3x3 convs (32->64, 64->128, 128->128)
     * and, unlike fmnist-vgg-s's global average pool, a hidden linear layer over the whole 7x7 map,
     * which keeps where a feature is. With binary edges every weight is +-1 (one bit per weight);
     * compressed to sub-bit convs it is under one bit.
     */
    private static SpikingClassifier fmnistVggW(ModelSpec spec, LayerFactory layers, SplittableRandom rng) {
        requireInput(spec, 1, 28);
        Sequential stem = new Sequential(
                new Normalize(new float[] {FMNIST_MEAN}, new float[] {FMNIST_STD}),
                layers.conv(Position.FIRST, 1, 32, 3, 1, 1, false, rng),
                BatchNorm.of2d(32));
        Sequential body = new Sequential(
                layers.neuron(spec),
                layers.conv(Position.HIDDEN, 32, 64, 3, 1, 1, false, rng),
                BatchNorm.of2d(64),
                layers.neuron(spec),
                new MaxPool2d(2),
                layers.conv(Position.HIDDEN, 64, 128, 3, 1, 1, false, rng),
                BatchNorm.of2d(128),
                layers.neuron(spec),
                layers.conv(Position.HIDDEN, 128, 128, 3, 1, 1, false, rng),
                BatchNorm.of2d(128),
                layers.neuron(spec),
                new MaxPool2d(2),
                Flatten.multiStep(),
                layers.linear(Position.HIDDEN, 128 * 7 * 7, 256, true, rng),
                layers.neuron(spec),
                layers.linear(Position.LAST, 256, spec.numClasses(), true, rng));
        return new SpikingClassifier(spec, stem, body);
    }

    static void requireInput(ModelSpec spec, int channels, int size) {
        if (spec.inChannels() != channels || spec.inSize() != size) {
            throw new SpikebitException("model " + spec.model() + " takes " + channels + "x" + size + "x" + size
                    + " input, the data has " + spec.inChannels() + "x" + spec.inSize() + "x" + spec.inSize());
        }
    }
}
