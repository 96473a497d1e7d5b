package dev.spikebit.core.models;

import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.BatchNorm;
import dev.spikebit.core.nn.MaxPool2d;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Sequential;
import dev.spikebit.core.ops.TimeOps;
import dev.spikebit.core.tensor.Tensor;
import java.util.List;

/**
 * A spiking classifier in three parts (docs/methods.md 1):
 * <ul>
 *   <li>{@code stem}: the input-side layers before the first neuron (normalisation, first conv,
 *       its BN). With direct encoding of a static image {@code [B, C, H, W]} it runs once and
 *       its output is repeated over T steps; an event input {@code [T, B, C, H, W]} runs through it
 *       step by step.</li>
 *   <li>{@code body}: the multi-step layers, ending in the last linear layer, with no neuron
 *       after it.</li>
 *   <li>the readout: the last layer's outputs averaged over T ({@link #logits}).</li>
 * </ul>
 */
public final class SpikingClassifier extends Module {
    private final ModelSpec spec;
    private final Sequential stem;
    private final Sequential body;

    public SpikingClassifier(ModelSpec spec, Sequential stem, Sequential body) {
        this.spec = spec;
        this.stem = registerModule("stem", stem);
        this.body = registerModule("body", body);
    }

    public ModelSpec spec() {
        return spec;
    }

    public Sequential stem() {
        return stem;
    }

    public Sequential body() {
        return body;
    }

    public int timeSteps() {
        return spec.timeSteps();
    }

    /** Per-step logits {@code [T, B, classes]}; TET training reads them directly. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 4) {
            List<Module> layers = body.layers();
            if (!layers.isEmpty() && layers.get(0) instanceof LIFNode first) {
                return forwardRepeatedStem(x, first, layers);
            }
        }
        Tensor h = stem.forward(x);
        if (x.rank() == 4) {
            h = TimeOps.repeatTime(h, spec.timeSteps());
        } else if (x.dim(0) != spec.timeSteps()) {
            throw new IllegalArgumentException(
                    "the model runs T = " + spec.timeSteps() + " steps, the input has " + x.dim(0));
        }
        return body.forward(h);
    }

    /**
     * Direct encoding into a body that starts with neurons: they read the stem's output at every
     * step, with no T copies of it, and where max pooling follows them (and layer fusion is on)
     * they run with it and with the stem's closing batch norm in one pass
     * ({@link LIFNode#forwardPooled}, {@link Sequential#fusesLayers}).
     */
    private Tensor forwardRepeatedStem(Tensor x, LIFNode first, List<Module> layers) {
        int steps = spec.timeSteps();
        List<Module> stemLayers = stem.layers();
        MaxPool2d pool =
                Sequential.fusesLayers() && layers.size() > 1 && layers.get(1) instanceof MaxPool2d p ? p : null;
        BatchNorm norm =
                pool != null && !stemLayers.isEmpty() && stemLayers.getLast() instanceof BatchNorm b ? b : null;
        Tensor h = Sequential.run(norm == null ? stemLayers : stemLayers.subList(0, stemLayers.size() - 1), x);
        Tensor pooled = pool == null ? null : first.forwardPooled(h, norm, pool, steps);
        if (pool != null && pooled == null && norm != null) {
            h = norm.forward(h);
            pooled = first.forwardPooled(h, null, pool, steps);
        }
        if (pooled != null) {
            return Sequential.run(layers.subList(2, layers.size()), pooled);
        }
        return Sequential.run(layers.subList(1, layers.size()), first.forwardRepeated(h, steps));
    }

    /** Class scores {@code [B, classes]}: the mean over T of the last layer's outputs. */
    public Tensor logits(Tensor x) {
        return TimeOps.meanOverTime(forward(x));
    }
}
