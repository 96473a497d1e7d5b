package dev.spikebit.core.models;

import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.neuron.ReverbLif;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import java.util.SplittableRandom;

/**
 * Makes the weight layers and neurons of a zoo model, so one architecture definition serves
 * full-precision, binary and sub-bit variants: the quantization module supplies its own factory.
 */
public interface LayerFactory {
    /** Where a layer sits: the first conv and the last linear are kept full precision by default. */
    enum Position {
        FIRST,
        HIDDEN,
        LAST
    }

    Conv2d conv(
            Position position,
            int in,
            int out,
            int kernel,
            int stride,
            int padding,
            boolean bias,
            SplittableRandom rng);

    Linear linear(Position position, int in, int out, boolean bias, SplittableRandom rng);

    /** A neuron layer as the spec says: LIF with binary spikes or ReverB with real-valued spikes. */
    default Module neuron(ModelSpec spec) {
        return spec.spikes() == SpikeKind.REAL ? new ReverbLif(spec.neuronConfig()) : new LIFNode(spec.neuronConfig());
    }

    /** Plain full-precision layers. */
    LayerFactory FULL_PRECISION = new LayerFactory() {
        @Override
        public Conv2d conv(
                Position position,
                int in,
                int out,
                int kernel,
                int stride,
                int padding,
                boolean bias,
                SplittableRandom rng) {
            return new Conv2d(in, out, kernel, stride, padding, bias, rng);
        }

        @Override
        public Linear linear(Position position, int in, int out, boolean bias, SplittableRandom rng) {
            return new Linear(in, out, bias, rng);
        }
    };
}
