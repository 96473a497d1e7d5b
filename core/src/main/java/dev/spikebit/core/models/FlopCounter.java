package dev.spikebit.core.models;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.neuron.kernel.OutputMode;
import dev.spikebit.core.nn.AvgPool2d;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Dropout;
import dev.spikebit.core.nn.Flatten;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Normalize;
import dev.spikebit.core.nn.RepeatTime;
import dev.spikebit.core.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts the dense floating-point operations of one sample at one time step, from the layers'
 * shapes alone (a symbolic pass: no tensor is allocated), as an ANN of the same shape would do
 * them. Spike sparsity, which makes the real work smaller, is the business of the efficiency
 * accounting of docs/methods.md 4; this count is the architecture's size, comparable across papers.
 *
 * <p>Rules, per sample and step ({@code n} = elements of the layer's output):
 * <ul>
 *   <li>conv: {@code MAC = Cout * Hout * Wout * Cin * k * k}; linear: {@code MAC = in * out};
 *       both {@code 2 * MAC} FLOPs, plus {@code n} for a bias;</li>
 *   <li>batch norm and input normalisation: {@code 2n} (scale and shift);</li>
 *   <li>LIF neuron: {@code 4n} (decay and charge, threshold, reset), ReverB {@code 5n} (times H);</li>
 *   <li>pooling: {@code k*k} per output (adds or comparisons); a residual sum: {@code n};</li>
 *   <li>flatten, dropout and the repetition of direct encoding: 0.</li>
 * </ul>
 * The stem is counted once per step, like every other layer, although with direct encoding of a
 * static image it actually runs once for all T steps.
 */
public final class FlopCounter {
    /**
     * A module whose data flow is not a chain of its children (a residual block): it reports its
     * layers itself, calling {@link #layer} for each child and {@link #add} for each sum.
     */
    public interface Traced {
        /** Counts this module on a per-sample input shape; returns the output shape. */
        int[] trace(FlopCounter counter, String name, int[] input);
    }

    /**
     * One counted layer.
     *
     * @param name        dotted path in the model
     * @param description the layer's {@link Module#describe()}
     * @param outputShape output of one sample at one step: {@code [C, H, W]} or {@code [F]}
     * @param macs        multiply-accumulates of its weights (conv and linear only)
     * @param flops       floating-point operations, as the class comment counts them
     */
    public record Layer(String name, String description, int[] outputShape, long macs, long flops) {}

    /** The layers of one model, in order, with their sums. */
    public record Count(List<Layer> layers) {
        public long macs() {
            return layers.stream().mapToLong(Layer::macs).sum();
        }

        public long flops() {
            return layers.stream().mapToLong(Layer::flops).sum();
        }

        /** The output shape of the last layer: {@code [classes]} for a classifier. */
        public int[] outputShape() {
            return layers.isEmpty() ? new int[0] : layers.get(layers.size() - 1).outputShape();
        }
    }

    private final List<Layer> layers = new ArrayList<>();

    private FlopCounter() {}

    /** The per-step count of {@code model} for one sample of its spec's input shape. */
    public static Count perStep(SpikingClassifier model) {
        ModelSpec spec = model.spec();
        return perStep(model, new int[] {spec.inChannels(), spec.inSize(), spec.inSize()});
    }

    /** The per-step count of any module for a per-sample input shape such as {@code [C, H, W]}. */
    public static Count perStep(Module module, int[] input) {
        FlopCounter counter = new FlopCounter();
        counter.layer("", module, input);
        return new Count(List.copyOf(counter.layers));
    }

    /** Counts {@code module} on {@code input} (per sample and step) and returns its output shape. */
    public int[] layer(String name, Module module, int[] input) {
        return switch (module) {
            case Traced traced -> traced.trace(this, name, input);
            case SpikingClassifier c -> layer(join(name, "body"), c.body(), layer(join(name, "stem"), c.stem(), input));
            case Sequential s -> {
                int[] shape = input;
                int i = 0;
                for (Module m : s.layers()) {
                    shape = layer(join(name, Integer.toString(i++)), m, shape);
                }
                yield shape;
            }
            case Conv2d conv -> conv(name, conv, input);
            case Linear linear -> linear(name, linear, input);
            case BatchNorm bn -> record(name, bn, input, 0, 2 * count(input));
            case Normalize norm -> record(name, norm, input, 0, 2 * count(input));
            case LIFNode lif ->
                record(name, lif, input, 0, (lif.config().output() == OutputMode.REAL ? 5L : 4L) * count(input));
            case MaxPool2d pool -> pool(name, pool, input, pool.kernel(), pool.stride());
            case AvgPool2d pool ->
                pool.isGlobal()
                        ? pool(name, pool, input, requireMap(pool, input)[1], input[1])
                        : pool(name, pool, input, pool.kernel(), pool.stride());
            case Flatten flatten -> record(name, flatten, flatten(flatten, input), 0, 0);
            case Dropout d -> record(name, d, input, 0, 0);
            case RepeatTime r -> record(name, r, input, 0, 0);
            default ->
                throw new SpikebitException("cannot count the operations of " + module.describe()
                        + (name.isEmpty() ? "" : " (" + name + ")") + ": no rule for this layer type");
        };
    }

    /** Counts an element-wise sum of two tensors of {@code shape} (a residual connection). */
    public int[] add(String name, int[] shape) {
        layers.add(new Layer(name, "add", shape.clone(), 0, count(shape)));
        return shape;
    }

    private int[] conv(String name, Conv2d conv, int[] input) {
        int[] in = requireMap(conv, input);
        if (in[0] != conv.inChannels()) {
            throw new SpikebitException(conv.describe() + " (" + name + ") gets " + in[0] + " channels");
        }
        int oh = (in[1] + 2 * conv.padding() - conv.kernel()) / conv.stride() + 1;
        int ow = (in[2] + 2 * conv.padding() - conv.kernel()) / conv.stride() + 1;
        int[] out = {conv.outChannels(), oh, ow};
        long macs = count(out) * conv.inChannels() * conv.kernel() * conv.kernel();
        return record(name, conv, out, macs, 2 * macs + (conv.bias() != null ? count(out) : 0));
    }

    private int[] linear(String name, Linear linear, int[] input) {
        if (input.length != 1 || input[0] != linear.inFeatures()) {
            throw new SpikebitException(linear.describe() + " (" + name + ") gets input " + Arrays.toString(input));
        }
        long macs = (long) linear.inFeatures() * linear.outFeatures();
        return record(
                name,
                linear,
                new int[] {linear.outFeatures()},
                macs,
                2 * macs + (linear.bias() != null ? linear.outFeatures() : 0));
    }

    private int[] pool(String name, Module pool, int[] input, int kernel, int stride) {
        int[] in = requireMap(pool, input);
        int[] out = {in[0], (in[1] - kernel) / stride + 1, (in[2] - kernel) / stride + 1};
        return record(name, pool, out, 0, count(out) * kernel * kernel);
    }

    private static int[] flatten(Flatten flatten, int[] input) {
        // Per-sample shapes have no batch or time axis; the model's tensors are multi-step [T, B, ...],
        // so a flatten from axis 2 (Flatten.multiStep) flattens the whole per-sample shape.
        int keep = Math.max(0, flatten.startAxis() - 2);
        int[] out = Arrays.copyOf(input, keep + 1);
        long n = 1;
        for (int i = keep; i < input.length; i++) {
            n *= input[i];
        }
        out[keep] = Math.toIntExact(n);
        return out;
    }

    private int[] record(String name, Module module, int[] out, long macs, long flops) {
        layers.add(new Layer(name, module.describe(), out.clone(), macs, flops));
        return out;
    }

    private static int[] requireMap(Module module, int[] input) {
        if (input.length != 3) {
            throw new SpikebitException(
                    module.describe() + " needs feature maps [C, H, W], got " + Arrays.toString(input));
        }
        return input;
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
