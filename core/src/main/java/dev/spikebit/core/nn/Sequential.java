package dev.spikebit.core.nn;

import dev.spikebit.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; children are named by position ("0", "1", ...) as in PyTorch. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) {
            add(m);
        }
    }

    public Sequential add(Module layer) {
        registerModule(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        return run(layers, x);
    }

    /**
     * Applies {@code layers} in order to {@code x}. A neuron layer between a batch norm (or nothing)
     * and a max pooling runs with them in one pass ({@link PoolingNeuron}, {@link #fusesLayers()}),
     * which computes the same numbers without writing the intermediate results.
     */
    public static Tensor run(List<Module> layers, Tensor x) {
        int n = layers.size();
        int i = 0;
        boolean fuse = fusesLayers();
        while (i < n) {
            Module m = layers.get(i);
            if (fuse
                    && m instanceof BatchNorm norm
                    && i + 2 < n
                    && layers.get(i + 1) instanceof PoolingNeuron neuron
                    && layers.get(i + 2) instanceof MaxPool2d pool) {
                Tensor y = neuron.forwardPooled(x, norm, pool, 0);
                if (y != null) {
                    x = y;
                    i += 3;
                    continue;
                }
            }
            if (fuse && m instanceof PoolingNeuron neuron && i + 1 < n && layers.get(i + 1) instanceof MaxPool2d pool) {
                Tensor y = neuron.forwardPooled(x, null, pool, 0);
                if (y != null) {
                    x = y;
                    i += 2;
                    continue;
                }
            }
            x = m.forward(x);
            i++;
        }
        return x;
    }

    /**
     * Whether a neuron layer runs fused with the batch norm before and the pooling after it: unless
     * {@link LayerFusion#off()} says otherwise, in training and in evaluation alike. The fused pass
     * computes the separate layers' numbers to the bit, writes neither the batch norm's output nor
     * the neurons' full-resolution spikes, and keeps one byte per pooled output for its backward
     * (docs/performance.md).
     */
    public static boolean fusesLayers() {
        return LayerFusion.isOn();
    }
}
